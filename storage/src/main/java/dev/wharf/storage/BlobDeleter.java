package dev.wharf.storage;

/** Removes stored bytes. Blocks: call from a worker thread. */
public interface BlobDeleter {
    /** Removes the stored bytes of {@code digest}; does nothing when absent; throws {@link StorageException} IO. */
    void delete(Digest digest);
}
