package dev.wharf.proxy.pull;

import dev.wharf.storage.Digest;
import java.util.List;

/**
 * An image made sure of: the digest its reference resolved to, every manifest stored for it (the index first, when
 * it is one), and how many blobs (configs and layers) it holds and their bytes.
 */
public record StoredImage(Digest digest, List<Digest> manifests, int blobs, long blobBytes) {
    public StoredImage {
        manifests = List.copyOf(manifests);
    }
}
