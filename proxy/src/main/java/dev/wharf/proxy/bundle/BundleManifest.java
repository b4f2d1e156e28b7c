package dev.wharf.proxy.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.proxy.upstream.UpstreamJson;
import dev.wharf.storage.Digest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The descriptors a manifest's exact bytes name: for an index (or Docker manifest list) the manifests it lists, for an
 * image or artifact manifest its config and layers; each with the media type and size the descriptor gives.
 */
record BundleManifest(boolean isIndex, List<Descriptor> children) {
    /** One descriptor: what a manifest says of the bytes it references. */
    record Descriptor(Digest digest, String mediaType, long size) {}

    BundleManifest {
        children = List.copyOf(children);
    }

    /** Parses {@code bytes}; throws {@link IllegalArgumentException} when they are not a manifest of either kind. */
    static BundleManifest parse(byte[] bytes) {
        JsonNode root;
        try {
            root = UpstreamJson.parse(bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON");
        }
        if (!root.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        List<Descriptor> children = new ArrayList<>();
        if (root.path("manifests").isArray()) {
            for (JsonNode entry : root.path("manifests")) {
                children.add(descriptor(entry));
            }
            return new BundleManifest(true, children);
        }
        if (root.path("config").isObject()) {
            children.add(descriptor(root.path("config")));
        }
        for (JsonNode layer : root.path("layers")) {
            children.add(descriptor(layer));
        }
        if (children.isEmpty()) {
            throw new IllegalArgumentException("neither an index nor an image manifest");
        }
        return new BundleManifest(false, children);
    }

    static Descriptor descriptor(JsonNode node) {
        String digest = node.path("digest").asText("");
        if (!Digest.isDigest(digest)) {
            throw new IllegalArgumentException("a descriptor without a valid digest");
        }
        long size = node.path("size").asLong(-1);
        if (size < 0) {
            throw new IllegalArgumentException("a descriptor without a size");
        }
        return new Descriptor(Digest.parse(digest), node.path("mediaType").asText(""), size);
    }
}
