package dev.wharf.proxy.eviction;

import dev.wharf.storage.Digest;

/** Which images must stay cached whatever their age (prewarmed ones): eviction never takes a pinned image. */
@FunctionalInterface
public interface PinnedImages {
    /** Nothing pinned. */
    PinnedImages NONE = manifest -> false;

    /** Whether the image whose top manifest (or one of whose manifests) is {@code manifest} is pinned; must not block. */
    boolean pinned(Digest manifest);
}
