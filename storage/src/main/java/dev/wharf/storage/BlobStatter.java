package dev.wharf.storage;

import java.util.Optional;

/** Tells whether a store holds a digest, without reading its bytes. Blocks: call from a worker thread. */
public interface BlobStatter {
    /**
     * Digest and size of the stored bytes of {@code digest}; empty when the store does not hold them (never for bytes
     * still being ingested). Throws {@link StorageException} of kind IO when the store cannot tell.
     */
    Optional<BlobInfo> stat(Digest digest);
}
