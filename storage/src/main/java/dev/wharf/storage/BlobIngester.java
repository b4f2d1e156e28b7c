package dev.wharf.storage;

/**
 * Publishes bytes that arrived through a {@link Spool}: the one step a store adds to filling (rename on disk, copy
 * in memory, upload and complete on a remote store). Blocks: call from a worker thread.
 */
public interface BlobIngester {
    /**
     * Publishes the verified bytes of {@code spool} under {@link Spool#digest()}, so that stat and open find them
     * once it returns; publishing a digest already stored is a no-op success. Throws {@link IllegalStateException}
     * when the spool is not verified, and {@link StorageException} of kind IO when publishing fails, having
     * published nothing. The caller still closes the spool, which removes whatever of it remains.
     */
    void publish(Spool spool);
}
