package dev.wharf.storage.memory;

import dev.wharf.storage.BlobReader;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.BlobWriter;
import dev.wharf.storage.Digest;
import dev.wharf.storage.StorageException;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Blobs in heap memory, for tests of code built on {@link BlobStore}. Verifies digest and size on commit exactly as
 * the disk store does, and counts unfinished writes so that tests can prove nothing leaks. Thread-safe.
 */
public final class MemoryBlobStore implements BlobStore {
    private final ConcurrentMap<Digest, Chunks> blobs = new ConcurrentHashMap<>();
    private final AtomicInteger pendingWrites = new AtomicInteger();
    private volatile boolean closed;

    /** Creates an empty store. */
    public MemoryBlobStore() {}

    @Override
    public Optional<BlobReader> open(Digest digest) {
        ensureOpen();
        return Optional.ofNullable(blobs.get(digest)).map(MemoryBlobReader::new);
    }

    @Override
    public Optional<Long> findSize(Digest digest) {
        ensureOpen();
        return Optional.ofNullable(blobs.get(digest)).map(Chunks::size);
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

    /** Writers created and neither committed nor aborted yet; 0 when nothing is in flight. */
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
