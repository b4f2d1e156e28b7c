package dev.wharf.storage.memory;

import dev.wharf.storage.BlobReader;
import dev.wharf.storage.BlobWriter;
import dev.wharf.storage.Digest;
import dev.wharf.storage.StorageException;
import dev.wharf.storage.Verification;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.function.BiConsumer;

/** Buffers and hashes bytes; publishes them only when they verify. Not thread-safe. */
final class MemoryBlobWriter implements BlobWriter {
    private final Digest expected;
    private final long expectedSize;
    private final BiConsumer<Digest, Chunks> publisher;
    private final Runnable onFinish;
    private final MessageDigest hasher;
    private Chunks bytes = new Chunks();
    private volatile long written;
    private volatile boolean verified;
    private volatile boolean committed;
    private volatile boolean finished;

    MemoryBlobWriter(Digest expected, long expectedSize, BiConsumer<Digest, Chunks> publisher, Runnable onFinish) {
        this.expected = expected;
        this.expectedSize = expectedSize;
        this.publisher = publisher;
        this.onFinish = onFinish;
        this.hasher = expected.newHasher();
    }

    @Override
    public void write(ByteBuffer src) {
        ensureOpen();
        if (verified) {
            throw new IllegalStateException("writer is verified");
        }
        written += src.remaining();
        hasher.update(src.duplicate());
        bytes.append(src);
    }

    @Override
    public long written() {
        return written;
    }

    @Override
    public BlobReader openPartial() {
        ensureOpen();
        return new MemoryBlobReader(bytes);
    }

    @Override
    public void verify() {
        if (verified) {
            return;
        }
        ensureOpen();
        try {
            Verification.check(expected, expectedSize, written, hasher.digest());
        } catch (StorageException e) {
            abort();
            throw e;
        }
        verified = true;
    }

    @Override
    public void commit() {
        if (committed) {
            return;
        }
        verify();
        publisher.accept(expected, bytes);
        committed = true;
        finish();
    }

    @Override
    public void abort() {
        if (!finished) {
            bytes = null;
            finish();
        }
    }

    @Override
    public void close() {
        abort();
    }

    private void finish() {
        finished = true;
        onFinish.run();
    }

    private void ensureOpen() {
        if (finished) {
            throw new IllegalStateException(committed ? "writer is committed" : "writer is aborted");
        }
    }
}
