package dev.wharf.storage.s3;

import dev.wharf.storage.BlobReader;
import dev.wharf.storage.BlobWriter;
import dev.wharf.storage.SpoolWriter;
import dev.wharf.storage.StorageException;
import java.nio.ByteBuffer;

/**
 * The writer of an {@link S3BlobStore} that uploads while it is written: writes, partial reads and verification go to
 * a {@link SpoolWriter}, and each write lets an {@link EagerUpload} upload the parts now whole. A commit verifies, then
 * uploads the rest and completes; a failed verification, an abort or a close without commit aborts the upload, so
 * nothing unverified becomes visible. Not thread-safe, except that partial readers may read on other threads.
 */
final class S3BlobWriter implements BlobWriter {
    private final SpoolWriter spool;
    private final EagerUpload upload;
    private final BlobReader uploadReader;
    private boolean finished;

    /** Takes over {@code spool}, {@code upload} and the reader the upload reads the spool with. */
    S3BlobWriter(SpoolWriter spool, EagerUpload upload, BlobReader uploadReader) {
        this.spool = spool;
        this.upload = upload;
        this.uploadReader = uploadReader;
    }

    @Override
    public void write(ByteBuffer src) {
        try {
            spool.write(src);
        } catch (StorageException e) {
            // The spool discarded itself; a misuse (IllegalStateException) leaves the upload as it is.
            abandon(e);
            throw e;
        }
        upload.grew(spool.written());
    }

    @Override
    public long written() {
        return spool.written();
    }

    @Override
    public BlobReader openPartial() {
        return spool.openPartial();
    }

    @Override
    public void verify() {
        try {
            spool.verify();
        } catch (StorageException e) {
            abandon(e);
            throw e;
        }
    }

    /** {@inheritDoc} The store's publish completes the upload begun here (see {@link S3BlobStore}). */
    @Override
    public void commit() {
        try {
            spool.commit();
        } catch (RuntimeException e) {
            abandon(e);
            throw e;
        }
        finish();
    }

    @Override
    public void abort() {
        spool.abort();
        abandon(null);
    }

    @Override
    public void close() {
        if (!finished) {
            abort();
        }
    }

    private void abandon(RuntimeException cause) {
        upload.abort(cause);
        finish();
    }

    private void finish() {
        if (!finished) {
            finished = true;
            uploadReader.close();
        }
    }
}
