package dev.wharf.storage;

import java.util.Optional;

/** Opens stored bytes for serving, in whichever form the store serves best. Blocks: call from a worker thread. */
public interface BlobOpener {
    /**
     * The stored bytes of {@code digest} as a {@link BlobContent} the caller closes; empty when the store does not
     * hold them. Throws {@link StorageException} of kind IO when they cannot be opened.
     */
    Optional<BlobContent> openContent(Digest digest);
}
