package dev.wharf.proxy.eviction;

import dev.wharf.storage.Digest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides what goes, on a {@link CacheCensus}: orphans older than a grace period, then whole images, least recently
 * used first, until the stored bytes are within the quota and the bytes to free for the free-space floor are freed.
 * A digest shared by images is counted once and goes only with the last image that needs it; pinned images never go.
 */
final class Planner {
    private final PinnedImages pins;
    private final Duration orphanGrace;

    Planner(PinnedImages pins, Duration orphanGrace) {
        this.pins = pins;
        this.orphanGrace = orphanGrace;
    }

    /**
     * The plan that brings the stored bytes to at most {@code maxSize} (0: no quota) and frees at least {@code
     * toFree} bytes more for the floor; orphans unused since {@code now} minus the grace go in any case.
     */
    EvictionPlan plan(CacheCensus census, long maxSize, long toFree, Instant now) {
        long stored = census.storedBytes();
        Map<Digest, Integer> users = users(census.images());
        List<EvictionPlan.Orphan> orphans = new ArrayList<>();
        long freed = 0;
        Instant cutoff = now.minus(orphanGrace);
        for (CacheCensus.Item item : census.items().values()) {
            if (!item.manifest()
                    && !users.containsKey(item.digest())
                    && item.lastUse().isBefore(cutoff)) {
                orphans.add(new EvictionPlan.Orphan(item.digest(), item.size()));
                freed += item.size();
            }
        }
        orphans.sort((a, b) -> a.digest().toString().compareTo(b.digest().toString()));
        List<EvictionPlan.Evicted> evicted = new ArrayList<>();
        for (CachedImage image : census.images()) {
            boolean overQuota = maxSize > 0 && stored - freed > maxSize;
            boolean underFloor = freed < toFree;
            if (!overQuota && !underFloor) {
                break;
            }
            if (isPinned(image)) {
                continue;
            }
            EvictionPlan.Evicted gone = release(
                    image, users, census, overQuota ? EvictionPlan.Reason.QUOTA : EvictionPlan.Reason.FREE_SPACE);
            evicted.add(gone);
            freed += gone.freedBytes();
        }
        return new EvictionPlan(evicted, orphans, stored, stored - freed);
    }

    /** The plan that removes the images under {@code roots} (pinned or not: an operator asked), and nothing else. */
    EvictionPlan purge(CacheCensus census, Set<Digest> roots) {
        long stored = census.storedBytes();
        List<CachedImage> images = census.images();
        Map<Digest, Integer> users = users(images);
        List<EvictionPlan.Evicted> evicted = new ArrayList<>();
        long freed = 0;
        for (CachedImage image : images) {
            if (roots.contains(image.root())) {
                EvictionPlan.Evicted gone = release(image, users, census, EvictionPlan.Reason.PURGE);
                evicted.add(gone);
                freed += gone.freedBytes();
            }
        }
        return new EvictionPlan(evicted, List.of(), stored, stored - freed);
    }

    private boolean isPinned(CachedImage image) {
        return image.parts().stream().anyMatch(pins::pinned);
    }

    /** Takes {@code image} out of {@code users}: what no other image uses any more is freed. */
    private static EvictionPlan.Evicted release(
            CachedImage image, Map<Digest, Integer> users, CacheCensus census, EvictionPlan.Reason reason) {
        List<Digest> deleted = new ArrayList<>();
        long bytes = 0;
        for (Digest part : image.parts()) {
            int left = users.merge(part, -1, Integer::sum);
            if (left <= 0) {
                users.remove(part);
                deleted.add(part);
                bytes += census.items().get(part).size();
            }
        }
        return new EvictionPlan.Evicted(image, deleted, bytes, reason);
    }

    /** How many images need each digest. */
    private static Map<Digest, Integer> users(List<CachedImage> images) {
        Map<Digest, Integer> users = new HashMap<>();
        for (CachedImage image : images) {
            for (Digest part : image.parts()) {
                users.merge(part, 1, Integer::sum);
            }
        }
        return users;
    }
}
