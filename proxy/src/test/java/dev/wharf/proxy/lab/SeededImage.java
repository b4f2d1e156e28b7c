package dev.wharf.proxy.lab;

import java.util.List;

/**
 * An image pushed into a registry: its repository, the tags pointing at it (empty for a platform manifest pushed
 * by digest), its manifest digest and media type, and every blob a full pull fetches (for an index: all platforms'
 * configs and layers).
 */
public record SeededImage(
        String repository, List<String> tags, String manifestDigest, String mediaType, List<String> blobDigests) {
    public SeededImage {
        tags = List.copyOf(tags);
        blobDigests = List.copyOf(blobDigests);
    }

    /** {@code repository:firstTag}, or {@code repository@digest} for an untagged platform manifest. */
    public String reference() {
        if (tags.isEmpty()) {
            return repository + "@" + manifestDigest;
        }
        return repository + ":" + tags.get(0);
    }
}
