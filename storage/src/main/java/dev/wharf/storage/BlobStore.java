package dev.wharf.storage;

import java.util.Optional;

/**
 * Content-addressed bytes (layers, configs and manifests alike), stored once per digest: the union of the roles
 * {@link BlobStatter}, {@link BlobOpener}, {@link BlobIngester} and {@link BlobDeleter}, plus the reader and writer
 * methods that came before them. The defaults build the roles on those methods, so that a decorator implementing
 * only them still works; stores override the defaults with their own implementation. Every method blocks: call from a
 * worker thread, never from an event loop.
 */
public interface BlobStore extends BlobStatter, BlobOpener, BlobIngester, BlobDeleter, AutoCloseable {
    /**
     * Opens the stored bytes of {@code digest} for reading; empty when absent. Always bytes, never a redirect, for
     * callers that must read them. The caller closes the reader.
     */
    Optional<BlobReader> open(Digest digest);

    /** The size in bytes of the stored blob; empty when absent. */
    Optional<Long> findSize(Digest digest);

    /**
     * Starts writing a blob that must hash to {@code expected} and, when {@code expectedSize >= 0}, have that size.
     * Nothing is visible until {@link BlobWriter#commit()} succeeds.
     */
    BlobWriter create(Digest expected, long expectedSize);

    /** {@inheritDoc} By default from {@link #findSize}. */
    @Override
    default Optional<BlobInfo> stat(Digest digest) {
        return findSize(digest).map(size -> new BlobInfo(digest, size));
    }

    /** {@inheritDoc} By default the reader of {@link #open}, as {@link BlobContent.Ranged}. */
    @Override
    default Optional<BlobContent> openContent(Digest digest) {
        return open(digest).map(BlobContent.Ranged::new);
    }

    /** {@inheritDoc} By default copies the spool's bytes through a writer of {@link #create}. */
    @Override
    default void publish(Spool spool) {
        if (!spool.isVerified()) {
            throw new IllegalStateException("spool is not verified");
        }
        try (BlobWriter writer = create(spool.digest(), spool.written())) {
            spool.copyTo(writer::write);
            writer.commit();
        }
    }

    /** Releases resources; the store is unusable afterwards. */
    @Override
    void close();
}
