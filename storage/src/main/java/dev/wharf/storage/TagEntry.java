package dev.wharf.storage;

import java.time.Instant;

/** What a tag pointed at when last fetched, and when the upstream last confirmed it. */
public record TagEntry(Digest digest, String mediaType, Instant fetchedAt, Instant verifiedAt) {}
