package dev.wharf.proxy.pull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.proxy.upstream.UpstreamJson;
import dev.wharf.storage.Digest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a manifest references, read from its exact bytes (which are never re-serialized): an index lists manifests,
 * each perhaps for a platform; an image (or artifact) manifest names a config and layers.
 */
public sealed interface ManifestContents {
    /** An image index or Docker manifest list. */
    record Index(List<Entry> entries) implements ManifestContents {}

    /** One manifest an index lists, with the platform it is for when the index says. */
    record Entry(Digest digest, Optional<Platform> platform) {}

    /** An image or artifact manifest: its config (absent for some artifacts) and layers. */
    record Image(Optional<Digest> config, List<Digest> layers) implements ManifestContents {}

    /** The references in {@code manifest}; throws {@link IllegalArgumentException} when it is not a manifest. */
    static ManifestContents of(Manifest manifest) {
        JsonNode root;
        try {
            root = UpstreamJson.parse(manifest.bytes());
        } catch (IOException e) {
            throw new IllegalArgumentException("manifest " + manifest.digest() + " is not JSON");
        }
        if (root.path("manifests").isArray()) {
            List<Entry> entries = new ArrayList<>();
            for (JsonNode entry : root.path("manifests")) {
                entries.add(new Entry(digest(entry), platform(entry.path("platform"))));
            }
            return new Index(List.copyOf(entries));
        }
        List<Digest> layers = new ArrayList<>();
        for (JsonNode layer : root.path("layers")) {
            layers.add(digest(layer));
        }
        Optional<Digest> config =
                root.path("config").isObject() ? Optional.of(digest(root.path("config"))) : Optional.empty();
        return new Image(config, List.copyOf(layers));
    }

    /** Whether {@code bytes} are a JSON object with a {@code manifests} array: an index (or manifest list). */
    static boolean isIndex(byte[] bytes) {
        try {
            return UpstreamJson.parse(bytes).path("manifests").isArray();
        } catch (IOException e) {
            return false;
        }
    }

    /** A descriptor's digest; {@link IllegalArgumentException} when it has no valid one. */
    public static Digest digest(JsonNode descriptor) {
        String text = descriptor.path("digest").asText("");
        if (!Digest.isDigest(text)) {
            throw new IllegalArgumentException("descriptor without a valid digest");
        }
        return Digest.parse(text);
    }

    /** An index entry's platform; empty when absent or malformed. */
    public static Optional<Platform> platform(JsonNode platform) {
        if (!platform.isObject()) {
            return Optional.empty();
        }
        try {
            String variant = platform.path("variant").asText("");
            return Optional.of(new Platform(
                    platform.path("os").asText(""),
                    platform.path("architecture").asText(""),
                    variant.isEmpty() ? Optional.empty() : Optional.of(variant)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
