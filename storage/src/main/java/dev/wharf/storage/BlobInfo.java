package dev.wharf.storage;

import java.util.Objects;

/** What a store knows of stored bytes without reading them: their digest and size. The size is never negative. */
public record BlobInfo(Digest digest, long size) {
    public BlobInfo {
        Objects.requireNonNull(digest, "digest");
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative");
        }
    }
}
