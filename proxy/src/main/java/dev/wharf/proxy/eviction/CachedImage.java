package dev.wharf.proxy.eviction;

import dev.wharf.storage.Digest;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * An image as the cache holds it: its top manifest ({@code root}, a manifest no other stored manifest references),
 * every stored digest it reaches ({@code parts}: the root first, then child manifests, then configs and layers), the
 * tags pointing at its root, when one of its manifests was last served, and its bytes counted whole.
 */
public record CachedImage(Digest root, List<Digest> parts, List<TagRef> tags, Instant lastUse, long bytes) {
    public CachedImage {
        parts = List.copyOf(parts);
        tags = List.copyOf(tags);
    }

    /** The parts as a set. */
    Set<Digest> partSet() {
        return Set.copyOf(parts);
    }
}
