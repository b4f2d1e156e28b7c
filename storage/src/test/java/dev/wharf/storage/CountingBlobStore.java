package dev.wharf.storage;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts every look at stored bytes (stat, size, open) before passing it on, so that tests can bound them. */
public final class CountingBlobStore implements BlobStore {
    private final BlobStore delegate;
    private final AtomicInteger looks = new AtomicInteger();

    public CountingBlobStore(BlobStore delegate) {
        this.delegate = delegate;
    }

    /** Stats, size lookups and opens so far. */
    public int looks() {
        return looks.get();
    }

    @Override
    public Optional<BlobInfo> stat(Digest digest) {
        looks.incrementAndGet();
        return delegate.stat(digest);
    }

    @Override
    public Optional<BlobContent> openContent(Digest digest) {
        looks.incrementAndGet();
        return delegate.openContent(digest);
    }

    @Override
    public Optional<BlobReader> open(Digest digest) {
        looks.incrementAndGet();
        return delegate.open(digest);
    }

    @Override
    public Optional<Long> findSize(Digest digest) {
        looks.incrementAndGet();
        return delegate.findSize(digest);
    }

    @Override
    public BlobWriter create(Digest expected, long expectedSize) {
        return delegate.create(expected, expectedSize);
    }

    @Override
    public void publish(Spool spool) {
        delegate.publish(spool);
    }

    @Override
    public void delete(Digest digest) {
        delegate.delete(digest);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
