package dev.wharf.proxy.eviction;

import dev.wharf.storage.Digest;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Where the cache an {@link Evictor} bounds lives, and how it is read and deleted from: this process's own index and
 * disk ({@link LocalTarget}), or a bucket that replicas share ({@link BucketTarget}). Called on the evictor's thread
 * only; every method may block.
 */
interface EvictionTarget {
    /** At open, before anything is served: completes an eviction a crash cut short (of this process's own cache). */
    void recover();

    /**
     * Right after open, on the evictor's thread before its first check, while the process already serves: completes
     * what a crash cut short where that needs remote calls (a shared bucket), so that start-up never waits on them.
     */
    default void recoverInBackground() {}

    /** Work besides the checks that every replica does at each tick (publishing uses, learning of evictions). */
    void maintain();

    /** What the cache holds now, with the uses recorded so far. */
    CacheCensus census();

    /** Runs {@code work} as the only one deleting from the cache; empty when another replica does now. */
    <T> Optional<T> exclusively(Supplier<T> work);

    /** Deletes {@code tags} and then {@code digests} (in their order), so that a crash in between is completed. */
    void delete(List<TagRef> tags, List<Digest> digests);

    /** Whether another replica pins {@code digest} (as of the last census); must not block. */
    default boolean pinnedElsewhere(Digest digest) {
        return false;
    }

    /** Bytes to free beyond the quota, for the free-space floor; 0 when the floor is not this target's. */
    long bytesToFree();

    /** The bytes stored once {@code plan} was applied, as the gauge reports them. */
    long storedAfter(EvictionPlan plan);
}
