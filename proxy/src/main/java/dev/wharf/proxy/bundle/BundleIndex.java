package dev.wharf.proxy.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wharf.config.WharfConfig;
import dev.wharf.proxy.pull.Target;
import dev.wharf.proxy.upstream.UpstreamJson;
import dev.wharf.storage.Digest;
import dev.wharf.storage.RepositoryName;
import dev.wharf.storage.Tag;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A bundle's {@code index.json}: one entry per tag (or untagged image) it carries, each annotated with {@code
 * org.opencontainers.image.ref.name} ({@code <upstream>/<repository>:<tag>}, or {@code @<digest>}), which skopeo's
 * {@code oci-archive:BUNDLE:REF} selects by, and with Wharf's own {@value #UPSTREAM}, {@value #REPOSITORY} and
 * {@value #TAG}, which import records. Entries are sorted by reference name and annotations by key, so the same content
 * gives the same bytes.
 */
final class BundleIndex {
    static final String REF_NAME = "org.opencontainers.image.ref.name";
    static final String UPSTREAM = "dev.wharf.upstream";
    static final String REPOSITORY = "dev.wharf.repository";
    static final String TAG = "dev.wharf.tag";
    static final String OCI_LAYOUT = "{\"imageLayoutVersion\":\"1.0.0\"}";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One carried reference: a tag (or, without one, an image by digest) of a repository of an upstream. */
    record Ref(Target target, Optional<Tag> tag, Digest digest, String mediaType, long size) {
        /** {@code <upstream>/<repository>:<tag>} or {@code <upstream>/<repository>@<digest>}. */
        String name() {
            return target + tag.map(t -> ":" + t.value()).orElse("@" + digest);
        }
    }

    private BundleIndex() {}

    /** The {@code index.json} of {@code refs}, sorted by name; a name given twice is written once. */
    static byte[] write(Collection<Ref> refs) {
        Map<String, Ref> sorted = new TreeMap<>();
        refs.forEach(ref -> sorted.put(ref.name(), ref));
        ObjectNode root = JSON.createObjectNode();
        root.put("schemaVersion", 2);
        root.put("mediaType", "application/vnd.oci.image.index.v1+json");
        var manifests = root.putArray("manifests");
        for (Ref ref : sorted.values()) {
            ObjectNode entry = manifests.addObject();
            entry.put("mediaType", ref.mediaType());
            entry.put("digest", ref.digest().toString());
            entry.put("size", ref.size());
            Map<String, String> annotations = new TreeMap<>();
            annotations.put(REF_NAME, ref.name());
            annotations.put(UPSTREAM, ref.target().upstream());
            annotations.put(REPOSITORY, ref.target().repository().value());
            ref.tag().ifPresent(t -> annotations.put(TAG, t.value()));
            ObjectNode a = entry.putObject("annotations");
            annotations.forEach(a::put);
        }
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The references of an {@code index.json}: from Wharf's annotations, else from the reference name resolved against
     * {@code config}'s upstreams (a layout another tool wrote). Throws {@link IllegalArgumentException} saying which
     * entry is unusable, or naming an upstream that is not configured here.
     */
    static List<Ref> read(byte[] json, WharfConfig config) {
        JsonNode root;
        try {
            root = UpstreamJson.parse(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("index.json is not JSON");
        }
        if (!root.path("manifests").isArray()) {
            throw new IllegalArgumentException("index.json has no manifests array");
        }
        List<Ref> refs = new ArrayList<>();
        int i = 0;
        for (JsonNode entry : root.path("manifests")) {
            String where = "index.json manifests[" + i++ + "]";
            BundleManifest.Descriptor d;
            try {
                d = BundleManifest.descriptor(entry);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage());
            }
            if (d.mediaType().isEmpty()) {
                throw new IllegalArgumentException(where + ": no mediaType");
            }
            JsonNode annotations = entry.path("annotations");
            String upstream = annotations.path(UPSTREAM).asText("");
            String repository = annotations.path(REPOSITORY).asText("");
            String tag = annotations.path(TAG).asText("");
            Target target;
            Optional<Tag> parsedTag;
            if (!upstream.isEmpty() && !repository.isEmpty()) {
                String configured = config.findUpstream(upstream)
                        .orElseThrow(() -> new IllegalArgumentException(where + ": upstream " + upstream
                                + " is not configured here (add it to upstreams; offline: true keeps it undialled)"))
                        .name();
                try {
                    target = new Target(configured, RepositoryName.parse(repository));
                    parsedTag = tag.isEmpty() ? Optional.empty() : Optional.of(Tag.parse(tag));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(where + ": invalid repository or tag");
                }
            } else {
                String name = annotations.path(REF_NAME).asText("");
                if (name.isEmpty()) {
                    throw new IllegalArgumentException(where + ": no " + REF_NAME + " to record it under");
                }
                ImageRef ref = ImageRef.parse(name, config);
                target = ref.target();
                parsedTag = ref.reference().tag();
            }
            refs.add(new Ref(target, parsedTag, d.digest(), d.mediaType(), d.size()));
        }
        return refs;
    }

    static byte[] layout() {
        return OCI_LAYOUT.getBytes(StandardCharsets.US_ASCII);
    }
}
