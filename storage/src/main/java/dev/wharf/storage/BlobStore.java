package dev.wharf.storage;

import java.util.Optional;

/**
 * Content-addressed bytes (layers, configs and manifests alike), stored once per digest. Every method blocks: call
 * from a worker thread, never from an event loop.
 */
public interface BlobStore extends AutoCloseable {
    /** Opens the stored bytes of {@code digest} for reading; empty when absent. The caller closes the reader. */
    Optional<BlobReader> open(Digest digest);

    /** The size in bytes of the stored blob; empty when absent. */
    Optional<Long> findSize(Digest digest);

    /**
     * Starts writing a blob that must hash to {@code expected} and, when {@code expectedSize >= 0}, have that size.
     * Nothing is visible until {@link BlobWriter#commit()} succeeds.
     */
    BlobWriter create(Digest expected, long expectedSize);

    /** Removes the blob; does nothing when absent. */
    void delete(Digest digest);

    /** Releases resources; the store is unusable afterwards. */
    @Override
    void close();
}
