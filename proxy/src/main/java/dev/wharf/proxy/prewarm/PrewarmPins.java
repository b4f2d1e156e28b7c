package dev.wharf.proxy.prewarm;

import dev.wharf.storage.Digest;

/** Which digests prewarm keeps: what eviction must leave in place. */
public interface PrewarmPins {
    /** True when the last successful run of some rule stored {@code digest} (a manifest, config or layer of it). */
    boolean pinned(Digest digest);
}
