package dev.wharf.proxy.upstream;

import dev.wharf.storage.Digest;
import java.util.Objects;
import java.util.Optional;

/**
 * A manifest exactly as the upstream sent it. {@code digestHeader} is the upstream's claim only; the caller computes
 * the digest from {@code body}.
 */
public record ManifestResponse(byte[] body, String mediaType, Optional<Digest> digestHeader) {
    public ManifestResponse {
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(digestHeader, "digestHeader");
    }
}
