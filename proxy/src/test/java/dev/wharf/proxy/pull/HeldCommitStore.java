package dev.wharf.proxy.pull;

import dev.wharf.storage.BlobReader;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.BlobWriter;
import dev.wharf.storage.Digest;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A store whose writers, once {@link #holdCommits()} was called, hold every commit (the step that makes bytes durable
 * and publishes them) until {@link #releaseCommits()}, so that a test sees what clients get while a verified blob is
 * not yet stored. Until told to hold, commits go straight through.
 */
final class HeldCommitStore implements BlobStore {
    private final BlobStore delegate;
    private volatile CountDownLatch release = new CountDownLatch(0);

    HeldCommitStore(BlobStore delegate) {
        this.delegate = delegate;
    }

    void holdCommits() {
        release = new CountDownLatch(1);
    }

    void releaseCommits() {
        release.countDown();
    }

    @Override
    public Optional<BlobReader> open(Digest digest) {
        return delegate.open(digest);
    }

    @Override
    public Optional<Long> findSize(Digest digest) {
        return delegate.findSize(digest);
    }

    @Override
    public BlobWriter create(Digest expected, long expectedSize) {
        return new HeldWriter(delegate.create(expected, expectedSize));
    }

    @Override
    public void delete(Digest digest) {
        delegate.delete(digest);
    }

    @Override
    public void close() {
        delegate.close();
    }

    private final class HeldWriter implements BlobWriter {
        private final BlobWriter writer;

        HeldWriter(BlobWriter writer) {
            this.writer = writer;
        }

        @Override
        public void write(ByteBuffer src) {
            writer.write(src);
        }

        @Override
        public long written() {
            return writer.written();
        }

        @Override
        public BlobReader openPartial() {
            return writer.openPartial();
        }

        @Override
        public void verify() {
            writer.verify();
        }

        @Override
        public void commit() {
            try {
                if (!release.await(20, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("commit was never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            writer.commit();
        }

        @Override
        public void abort() {
            writer.abort();
        }

        @Override
        public void close() {
            writer.close();
        }
    }
}
