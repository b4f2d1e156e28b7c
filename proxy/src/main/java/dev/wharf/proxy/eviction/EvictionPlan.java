package dev.wharf.proxy.eviction;

import dev.wharf.storage.Digest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What one eviction removes: whole images (each with the digests that no kept image needs, and its tags) and orphans
 * (blobs no stored manifest references). {@code storedBefore} counts every stored digest once; {@code storedAfter}
 * what stays.
 */
public record EvictionPlan(List<Evicted> images, List<Orphan> orphans, long storedBefore, long storedAfter) {
    /** Why something goes. */
    public enum Reason {
        QUOTA("quota"),
        FREE_SPACE("free_space"),
        ORPHAN("orphan"),
        PURGE("purge");

        /** The name in metrics and JSON. */
        public final String label;

        Reason(String label) {
            this.label = label;
        }
    }

    /** An image that goes whole: {@code deleted} are its parts no kept image shares, root first. */
    public record Evicted(CachedImage image, List<Digest> deleted, long freedBytes, Reason reason) {
        public Evicted {
            deleted = List.copyOf(deleted);
        }
    }

    /** A blob nothing references. */
    public record Orphan(Digest digest, long bytes) {}

    public EvictionPlan {
        images = List.copyOf(images);
        orphans = List.copyOf(orphans);
    }

    /** Whether nothing goes. */
    public boolean isEmpty() {
        return images.isEmpty() && orphans.isEmpty();
    }

    /** Every tag to delete: those of evicted images. */
    List<TagRef> tags() {
        List<TagRef> tags = new ArrayList<>();
        images.forEach(e -> tags.addAll(e.image().tags()));
        return tags;
    }

    /** Every digest to delete, in the order it must go: manifests of each image before its blobs, orphans last. */
    List<Digest> digests() {
        Set<Digest> digests = new LinkedHashSet<>();
        images.forEach(e -> digests.addAll(e.deleted()));
        orphans.forEach(o -> digests.add(o.digest()));
        return List.copyOf(digests);
    }
}
