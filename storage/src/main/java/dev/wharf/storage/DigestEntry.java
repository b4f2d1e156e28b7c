package dev.wharf.storage;

import java.time.Instant;
import java.util.Objects;

/**
 * What the cache knows of stored bytes: their size, the media type they were served with (empty string for plain
 * blobs) and when they were last read. The size is never negative and no component is null.
 */
public record DigestEntry(long size, String mediaType, Instant lastAccess) {
    public DigestEntry {
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative");
        }
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(lastAccess, "lastAccess");
    }
}
