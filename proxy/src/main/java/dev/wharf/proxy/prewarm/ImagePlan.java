package dev.wharf.proxy.prewarm;

import dev.wharf.storage.Digest;
import java.util.List;

/**
 * One image a rule selects: the {@code repository} it is in, the {@code reference} (tag or digest) it was selected by, the digest it resolves to,
 * every manifest stored for it, the platforms chosen from its index (empty for a single-platform image), the blobs
 * (configs and layers) of those platforms and which of them the cache still lacks.
 */
public record ImagePlan(
        String repository,
        String reference,
        Digest digest,
        List<Digest> manifests,
        List<String> platforms,
        List<BlobRef> blobs,
        List<BlobRef> missing) {
    public ImagePlan {
        manifests = List.copyOf(manifests);
        platforms = List.copyOf(platforms);
        blobs = List.copyOf(blobs);
        missing = List.copyOf(missing);
    }

    /** The bytes of every blob of the image. */
    public long bytes() {
        return blobs.stream().mapToLong(BlobRef::size).sum();
    }

    /** The bytes a run would still fetch. */
    public long missingBytes() {
        return missing.stream().mapToLong(BlobRef::size).sum();
    }
}
