package dev.wharf.storage.index;

import dev.wharf.storage.BlobContent;
import dev.wharf.storage.BlobInfo;
import dev.wharf.storage.BlobReader;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.BlobWriter;
import dev.wharf.storage.CacheIndex;
import dev.wharf.storage.Digest;
import dev.wharf.storage.Spool;
import java.util.Optional;

/**
 * A store that keeps an index honest lazily: whenever a stat or open finds a digest's bytes gone (deleted by an
 * operator, lost in a crash, evicted by another replica), it drops the index's entry of that digest, so start-up
 * never has to check every entry. A miss costs one index lookup more; the index is written only when it held an
 * entry. Everything else passes straight through. A {@link StoreBackedIndex} given as {@code index} must stat the
 * store this one wraps, never this one, or a miss would ask itself again. Thread-safe when its parts are.
 */
public final class ReconcilingBlobStore implements BlobStore {
    private final BlobStore store;
    private final CacheIndex index;

    /** Reads {@code store} (which it owns and closes) and drops stale entries of {@code index} (which it does not). */
    public ReconcilingBlobStore(BlobStore store, CacheIndex index) {
        this.store = store;
        this.index = index;
    }

    @Override
    public Optional<BlobInfo> stat(Digest digest) {
        return reconciled(digest, store.stat(digest));
    }

    @Override
    public Optional<BlobContent> openContent(Digest digest) {
        return reconciled(digest, store.openContent(digest));
    }

    @Override
    public Optional<BlobReader> open(Digest digest) {
        return reconciled(digest, store.open(digest));
    }

    @Override
    public Optional<Long> findSize(Digest digest) {
        return reconciled(digest, store.findSize(digest));
    }

    @Override
    public BlobWriter create(Digest expected, long expectedSize) {
        return store.create(expected, expectedSize);
    }

    @Override
    public void publish(Spool spool) {
        store.publish(spool);
    }

    /** Deletes the bytes, then the index entry, which would point at nothing. */
    @Override
    public void delete(Digest digest) {
        store.delete(digest);
        forget(digest);
    }

    @Override
    public void close() {
        store.close();
    }

    private <T> Optional<T> reconciled(Digest digest, Optional<T> found) {
        if (found.isEmpty()) {
            forget(digest);
        }
        return found;
    }

    private void forget(Digest digest) {
        if (index.findDigest(digest).isPresent()) {
            index.deleteDigest(digest);
        }
    }
}
