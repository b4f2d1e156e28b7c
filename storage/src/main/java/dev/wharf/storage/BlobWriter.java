package dev.wharf.storage;

import java.nio.ByteBuffer;

/**
 * Writes one blob, hashing as it goes. Either {@link #commit()} publishes it atomically, or {@link #abort()} (or
 * {@link #close()} without commit) leaves nothing behind. Not thread-safe.
 */
public interface BlobWriter extends AutoCloseable {
    /**
     * Appends all remaining bytes of {@code src}; throws {@link StorageException} of kind IO on failure, and {@link
     * IllegalStateException} once the writer is verified, committed or aborted.
     */
    void write(ByteBuffer src);

    /** Bytes written so far. */
    long written();

    /**
     * A reader over the bytes written so far, usable from another thread while this writer goes on: its size is what
     * has been written when asked, and reads at or past that return -1. It keeps reading after {@link #commit()}; after
     * an abort its reads may fail. Throws {@link IllegalStateException} once the writer is committed or aborted, and
     * {@link StorageException} of kind IO when it cannot be opened. The caller closes it.
     */
    BlobReader openPartial();

    /**
     * Checks digest and size of what was written, so that readers may trust the bytes before they are durable. On a
     * mismatch aborts and throws {@link StorageException} of kind CORRUPT. After it succeeds nothing more can be
     * written; calling it again does nothing.
     */
    void verify();

    /**
     * Verifies digest and size (unless {@link #verify()} did), makes the bytes durable and publishes them. On a
     * mismatch throws {@link StorageException} of kind CORRUPT and publishes nothing. Publishing a digest already
     * stored is a no-op success.
     */
    void commit();

    /** Discards what was written; safe to call more than once or after commit (then it does nothing). */
    void abort();

    /** Aborts unless committed. */
    @Override
    void close();
}
