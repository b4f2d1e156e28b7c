package dev.wharf.storage;

import java.time.Instant;

/**
 * What the cache knows of stored bytes: their size, the media type they were served with (empty string for plain
 * blobs) and when they were last read.
 */
public record DigestEntry(long size, String mediaType, Instant lastAccess) {}
