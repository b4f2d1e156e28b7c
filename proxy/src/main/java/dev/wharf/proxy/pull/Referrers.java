package dev.wharf.proxy.pull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wharf.proxy.upstream.UpstreamJson;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;

/**
 * The answer to a referrers request: an OCI image index listing the manifests whose {@code subject} is the digest
 * asked about. {@code filtered} says the list was narrowed to one {@code artifactType} (the {@code
 * OCI-Filters-Applied} header); {@code staleWarning} is present when the cached list was served because the upstream
 * could not be asked.
 */
public record Referrers(byte[] body, boolean filtered, Optional<String> staleWarning) {
    /** The media type of every referrers answer. */
    public static final String MEDIA_TYPE = "application/vnd.oci.image.index.v1+json";

    private static final ObjectMapper JSON = new ObjectMapper();

    public Referrers {
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(staleWarning, "staleWarning");
    }

    /** The index of {@code manifest} (its exact bytes), narrowed to {@code artifactType} when one is given. */
    static Referrers of(Manifest manifest, Optional<String> artifactType) {
        if (artifactType.isEmpty()) {
            return new Referrers(manifest.bytes(), false, manifest.staleWarning());
        }
        JsonNode root;
        try {
            root = UpstreamJson.parse(manifest.bytes());
        } catch (IOException e) {
            throw new IllegalArgumentException("referrers index " + manifest.digest() + " is not JSON");
        }
        ObjectNode narrowed = JSON.createObjectNode();
        narrowed.put("schemaVersion", 2);
        narrowed.put("mediaType", MEDIA_TYPE);
        ArrayNode entries = narrowed.putArray("manifests");
        for (JsonNode entry : root.path("manifests")) {
            if (artifactType.get().equals(entry.path("artifactType").asText(""))) {
                entries.add(entry);
            }
        }
        try {
            return new Referrers(JSON.writeValueAsBytes(narrowed), true, manifest.staleWarning());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
