package dev.wharf.storage;

import java.nio.ByteBuffer;

/**
 * A {@link BlobWriter} over a {@link Spool}: writes, partial reads and verification go to the spool, and a commit has
 * {@code ingester} publish it. Stores that fill through spools offer {@link BlobStore#create} this way. Not
 * thread-safe, except that partial readers may read on other threads.
 */
public final class SpoolWriter implements BlobWriter {
    private final Spool spool;
    private final BlobIngester ingester;
    private volatile boolean committed;
    private volatile boolean aborted;

    /** A writer that fills {@code spool} and publishes it through {@code ingester}; it owns the spool from now on. */
    public SpoolWriter(Spool spool, BlobIngester ingester) {
        this.spool = spool;
        this.ingester = ingester;
    }

    @Override
    public void write(ByteBuffer src) {
        ensureOpen();
        spool.write(src);
    }

    @Override
    public long written() {
        return spool.written();
    }

    @Override
    public BlobReader openPartial() {
        ensureOpen();
        return spool.openReader();
    }

    @Override
    public void verify() {
        ensureOpen();
        spool.verify();
    }

    @Override
    public void commit() {
        if (committed) {
            return;
        }
        ensureOpen();
        spool.verify();
        try {
            ingester.publish(spool);
        } catch (RuntimeException e) {
            abort();
            throw e;
        }
        committed = true;
        spool.close();
    }

    @Override
    public void abort() {
        if (committed || aborted) {
            return;
        }
        aborted = true;
        spool.close();
    }

    @Override
    public void close() {
        abort();
    }

    private void ensureOpen() {
        if (committed || aborted) {
            throw new IllegalStateException(committed ? "writer is committed" : "writer is aborted");
        }
    }
}
