package dev.wharf.storage;

import java.time.Instant;
import java.util.Objects;

/** What a tag pointed at when last fetched, and when the upstream last confirmed it. No component is null. */
public record TagEntry(Digest digest, String mediaType, Instant fetchedAt, Instant verifiedAt) {
    public TagEntry {
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(fetchedAt, "fetchedAt");
        Objects.requireNonNull(verifiedAt, "verifiedAt");
    }
}
