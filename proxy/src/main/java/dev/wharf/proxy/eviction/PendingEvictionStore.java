package dev.wharf.proxy.eviction;

import dev.wharf.storage.BlobContent;
import dev.wharf.storage.BlobInfo;
import dev.wharf.storage.BlobReader;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.BlobWriter;
import dev.wharf.storage.Digest;
import dev.wharf.storage.ForwardingBlobWriter;
import dev.wharf.storage.Spool;
import dev.wharf.storage.StorageException;
import dev.wharf.storage.fs.FileBlobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A shared bucket's store as this replica serves it while evictions are under way: a digest being evicted ({@link
 * PendingEvictions}) is never read from the bucket, whose object the evictor may delete at any moment until no journal
 * names it. A request for one is a miss that fills from the upstream, and what the fill stores goes to a local holding
 * store instead of the bucket, from which it is served until the eviction ends; then it is dropped there (the bucket
 * has the digest again, or the next request is a miss that fills it anew). Storing it reclaims it: the eviction learns
 * that it is in use. Everything else passes through. Thread-safe when the store is.
 */
public final class PendingEvictionStore implements BlobStore {
    private static final Logger LOG = LoggerFactory.getLogger(PendingEvictionStore.class);

    private final BlobStore store;
    private final PendingEvictions pending;
    private final FileBlobStore held;

    /**
     * {@code store} (owned: closed with this one) hiding what {@code pending} lists; digests being evicted that are
     * stored again are held in {@code holding} (emptied first: what it held belongs to evictions of an earlier run).
     */
    public PendingEvictionStore(BlobStore store, PendingEvictions pending, Path holding) {
        this.store = store;
        this.pending = pending;
        this.held = FileBlobStore.open(emptied(holding));
        pending.onRelease(this::release);
    }

    @Override
    public Optional<BlobInfo> stat(Digest digest) {
        return pending.isGoing(digest) ? held.stat(digest) : store.stat(digest);
    }

    @Override
    public Optional<Long> findSize(Digest digest) {
        return pending.isGoing(digest) ? held.findSize(digest) : store.findSize(digest);
    }

    @Override
    public Optional<BlobContent> openContent(Digest digest) {
        return pending.isGoing(digest) ? held.openContent(digest) : store.openContent(digest);
    }

    @Override
    public Optional<BlobReader> open(Digest digest) {
        return pending.isGoing(digest) ? held.open(digest) : store.open(digest);
    }

    /** {@inheritDoc} A digest being evicted is held locally; once committed, the digest is reclaimed. */
    @Override
    public BlobWriter create(Digest expected, long expectedSize) {
        BlobStore target = pending.isGoing(expected) ? held : store;
        return new ForwardingBlobWriter(target.create(expected, expectedSize)) {
            @Override
            public void commit() {
                super.commit();
                pending.reclaim(expected);
            }
        };
    }

    /** {@inheritDoc} A digest being evicted is held locally; once published, the digest is reclaimed. */
    @Override
    public void publish(Spool spool) {
        (pending.isGoing(spool.digest()) ? held : store).publish(spool);
        pending.reclaim(spool.digest());
    }

    @Override
    public void delete(Digest digest) {
        held.delete(digest);
        store.delete(digest);
    }

    @Override
    public void close() {
        held.close();
        store.close();
    }

    /** The eviction of {@code digest} ended: this replica reads it from the bucket again, not from the holding. */
    private void release(Digest digest) {
        try {
            held.delete(digest);
        } catch (StorageException e) {
            LOG.warn("cannot drop the held copy of {}", digest, e);
        }
    }

    private static Path emptied(Path directory) {
        if (Files.exists(directory)) {
            try (Stream<Path> paths = Files.walk(directory)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            } catch (IOException e) {
                throw new StorageException(StorageException.Kind.IO, "cannot empty " + directory, e);
            }
        }
        return directory;
    }
}
