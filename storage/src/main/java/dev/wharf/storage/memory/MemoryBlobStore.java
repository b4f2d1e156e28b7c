package dev.wharf.storage.memory;

import dev.wharf.storage.BlobContent;
import dev.wharf.storage.BlobInfo;
import dev.wharf.storage.BlobReader;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.BlobWriter;
import dev.wharf.storage.Digest;
import dev.wharf.storage.Spool;
import dev.wharf.storage.StorageException;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Blobs in heap memory, for tests of code built on {@link BlobStore}. Spools are copied in when published; writers of
 * {@link #create} buffer on the heap and never touch a file. Verifies digest and size exactly as the disk store does,
 * and counts unfinished writers so that tests can prove nothing leaks. Thread-safe.
 */
public final class MemoryBlobStore implements BlobStore {
    private final ConcurrentMap<Digest, Chunks> blobs = new ConcurrentHashMap<>();
    private final AtomicInteger pendingWrites = new AtomicInteger();
    private volatile boolean closed;

    /** Creates an empty store. */
    public MemoryBlobStore() {}

    @Override
    public Optional<BlobInfo> stat(Digest digest) {
        ensureOpen();
        return Optional.ofNullable(blobs.get(digest)).map(bytes -> new BlobInfo(digest, bytes.size()));
    }

    /** {@inheritDoc} Always a {@link BlobContent.Ranged}: nothing here is a file. */
    @Override
    public Optional<BlobContent> openContent(Digest digest) {
        return open(digest).map(BlobContent.Ranged::new);
    }

    @Override
    public Optional<BlobReader> open(Digest digest) {
        ensureOpen();
        return Optional.ofNullable(blobs.get(digest)).map(MemoryBlobReader::new);
    }

    @Override
    public Optional<Long> findSize(Digest digest) {
        return stat(digest).map(BlobInfo::size);
    }

    /** {@inheritDoc} Copies the spool's bytes onto the heap. */
    @Override
    public void publish(Spool spool) {
        ensureOpen();
        if (!spool.isVerified()) {
            throw new IllegalStateException("spool is not verified");
        }
        if (blobs.containsKey(spool.digest())) {
            return;
        }
        Chunks bytes = new Chunks();
        spool.copyTo(bytes::append);
        publish(spool.digest(), bytes);
    }

    @Override
    public BlobWriter create(Digest expected, long expectedSize) {
        ensureOpen();
        pendingWrites.incrementAndGet();
        return new MemoryBlobWriter(expected, expectedSize, this::publish, pendingWrites::decrementAndGet);
    }

    @Override
    public void delete(Digest digest) {
        ensureOpen();
        blobs.remove(digest);
    }

    /** Writers of {@link #create} neither committed nor aborted yet; 0 when nothing is in flight. */
    public int pendingWrites() {
        return pendingWrites.get();
    }

    /** Marks the store closed; later calls throw {@link StorageException} of kind IO. */
    @Override
    public void close() {
        closed = true;
    }

    private void publish(Digest digest, Chunks bytes) {
        blobs.putIfAbsent(digest, bytes);
    }

    private void ensureOpen() {
        if (closed) {
            throw new StorageException(StorageException.Kind.IO, "blob store is closed");
        }
    }
}
