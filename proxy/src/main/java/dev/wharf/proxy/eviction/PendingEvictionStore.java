package dev.wharf.proxy.eviction;

import dev.wharf.storage.BlobContent;
import dev.wharf.storage.BlobInfo;
import dev.wharf.storage.BlobReader;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.BlobWriter;
import dev.wharf.storage.Digest;
import dev.wharf.storage.ForwardingBlobWriter;
import dev.wharf.storage.Spool;
import java.util.Optional;

/**
 * A shared bucket's store as this replica serves it while evictions are under way: a digest being evicted ({@link
 * PendingEvictions}) is absent, so a request for it is a miss that fills from the upstream (streamed from the local
 * spool, never from the bucket object about to be deleted). Storing it again reclaims it. Everything else passes
 * through. Thread-safe when the store is.
 */
public final class PendingEvictionStore implements BlobStore {
    private final BlobStore store;
    private final PendingEvictions pending;

    /** {@code store} (owned: closed with this one) hiding what {@code pending} lists. */
    public PendingEvictionStore(BlobStore store, PendingEvictions pending) {
        this.store = store;
        this.pending = pending;
    }

    @Override
    public Optional<BlobInfo> stat(Digest digest) {
        return pending.isGoing(digest) ? Optional.empty() : store.stat(digest);
    }

    @Override
    public Optional<Long> findSize(Digest digest) {
        return pending.isGoing(digest) ? Optional.empty() : store.findSize(digest);
    }

    @Override
    public Optional<BlobContent> openContent(Digest digest) {
        return pending.isGoing(digest) ? Optional.empty() : store.openContent(digest);
    }

    @Override
    public Optional<BlobReader> open(Digest digest) {
        return pending.isGoing(digest) ? Optional.empty() : store.open(digest);
    }

    /** {@inheritDoc} Once committed, the digest is reclaimed. */
    @Override
    public BlobWriter create(Digest expected, long expectedSize) {
        return new ForwardingBlobWriter(store.create(expected, expectedSize)) {
            @Override
            public void commit() {
                super.commit();
                pending.reclaim(expected);
            }
        };
    }

    /** {@inheritDoc} Once published, the digest is reclaimed. */
    @Override
    public void publish(Spool spool) {
        store.publish(spool);
        pending.reclaim(spool.digest());
    }

    @Override
    public void delete(Digest digest) {
        store.delete(digest);
    }

    @Override
    public void close() {
        store.close();
    }
}
