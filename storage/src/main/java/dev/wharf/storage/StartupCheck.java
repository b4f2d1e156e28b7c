package dev.wharf.storage;

import java.util.Optional;

/**
 * Brings the index back in line with the store after a crash or an operator's deletion, before serving. The store
 * is the truth: the index is only a cache of what the store holds.
 */
public final class StartupCheck {
    private StartupCheck() {}

    /**
     * Removes every digest entry of {@code index} whose blob is absent from {@code store} or has another size, and
     * returns how many were removed. Tag entries and seen marks are kept: a tag whose digest has no entry is simply
     * fetched again. Throws {@link StorageException} of kind IO when either side fails.
     */
    public static long reconcile(BlobStore store, CacheIndex index) {
        long[] removed = {0};
        index.forEachDigest((digest, entry) -> {
            Optional<Long> size = store.findSize(digest);
            if (size.isEmpty() || size.get() != entry.size()) {
                index.deleteDigest(digest);
                removed[0]++;
            }
        });
        return removed[0];
    }
}
