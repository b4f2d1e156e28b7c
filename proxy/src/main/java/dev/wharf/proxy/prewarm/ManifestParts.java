package dev.wharf.proxy.prewarm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.proxy.pull.Manifest;
import dev.wharf.proxy.pull.ManifestContents;
import dev.wharf.proxy.pull.Platform;
import dev.wharf.proxy.upstream.UpstreamJson;
import dev.wharf.storage.Digest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The descriptors of a manifest's exact bytes, with the sizes they state: an index's entries (chosen for the asked
 * platforms as pull's image fetch chooses them), or an image's config and layers.
 */
final class ManifestParts {
    /** An index entry: the manifest's digest and the platform it is for, when the index says. */
    record Entry(Digest digest, Optional<Platform> platform) {}

    private final JsonNode root;

    private ManifestParts(JsonNode root) {
        this.root = root;
    }

    /** The parts of {@code manifest}; throws {@link IllegalArgumentException} when it is not a manifest. */
    static ManifestParts of(Manifest manifest) {
        try {
            return new ManifestParts(UpstreamJson.parse(manifest.bytes()));
        } catch (IOException e) {
            throw new IllegalArgumentException("manifest " + manifest.digest() + " is not JSON");
        }
    }

    /** The digests an index's bytes list (a referrers index's referrers); {@link IllegalArgumentException} if not one. */
    static List<Digest> entries(byte[] index) {
        ManifestParts parts;
        try {
            parts = new ManifestParts(UpstreamJson.parse(index));
        } catch (IOException e) {
            throw new IllegalArgumentException("index " + Digest.sha256(index) + " is not JSON");
        }
        return parts.chosen(Set.of()).stream().map(Entry::digest).toList();
    }

    boolean isIndex() {
        return root.path("manifests").isArray();
    }

    /** The entries for {@code platforms} (every entry when empty; never one without a platform otherwise). */
    List<Entry> chosen(Set<Platform> platforms) {
        List<Entry> chosen = new ArrayList<>();
        for (JsonNode entry : root.path("manifests")) {
            Optional<Platform> platform = ManifestContents.platform(entry.path("platform"));
            if (platforms.isEmpty()
                    || platform.filter(p -> platforms.stream().anyMatch(w -> w.admits(p)))
                            .isPresent()) {
                chosen.add(new Entry(ManifestContents.digest(entry), platform));
            }
        }
        return chosen;
    }

    /** An image's config (when it has one) and layers, in that order. */
    List<BlobRef> blobs() {
        List<BlobRef> blobs = new ArrayList<>();
        if (root.path("config").isObject()) {
            blobs.add(blob(root.path("config")));
        }
        for (JsonNode layer : root.path("layers")) {
            blobs.add(blob(layer));
        }
        return blobs;
    }

    private static BlobRef blob(JsonNode descriptor) {
        long size = descriptor.path("size").asLong(-1);
        if (size < 0) {
            throw new IllegalArgumentException("descriptor without a size");
        }
        return new BlobRef(ManifestContents.digest(descriptor), size);
    }
}
