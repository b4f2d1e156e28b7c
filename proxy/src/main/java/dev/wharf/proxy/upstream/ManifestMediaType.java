package dev.wharf.proxy.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;

/**
 * The media type a fetched manifest is kept and served with. An upstream's {@code Content-Type} is trusted only when
 * it is a manifest type and agrees with the manifest's own {@code mediaType} field (when it has one); a
 * {@code Content-Type} that is no manifest type ({@code text/html}, {@code application/json},
 * {@code application/octet-stream}) is replaced by the manifest's own {@code mediaType} when that is a manifest type.
 * Anything else is refused, so that no client is told to read an upstream's bytes as something else.
 */
final class ManifestMediaType {
    static final Set<String> MANIFEST_TYPES = Set.of(
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.docker.distribution.manifest.v2+json",
            "application/vnd.oci.artifact.manifest.v1+json");

    private ManifestMediaType() {}

    /**
     * The type for a manifest sent as {@code contentType} (lowercase, without parameters) with {@code body}; throws
     * {@link IllegalArgumentException} with the reason when neither names a manifest type or they disagree.
     */
    static String decide(String contentType, byte[] body) {
        Optional<String> own = declared(body);
        if (MANIFEST_TYPES.contains(contentType)) {
            if (own.isPresent() && !own.get().equals(contentType)) {
                throw new IllegalArgumentException("Content-Type and the manifest's mediaType disagree");
            }
            return contentType;
        }
        if (own.isPresent() && MANIFEST_TYPES.contains(own.get())) {
            return own.get();
        }
        throw new IllegalArgumentException("Content-Type is not a manifest media type");
    }

    /** The manifest's own {@code mediaType} field; empty when absent or when the body is not a JSON object. */
    private static Optional<String> declared(byte[] body) {
        try {
            JsonNode root = UpstreamJson.parse(body);
            JsonNode type = root == null ? null : root.get("mediaType");
            return type != null && type.isTextual() ? Optional.of(type.asText()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
