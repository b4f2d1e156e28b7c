package dev.wharf.storage.s3;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** The body of a lease object: three lines, {@code v1}, the holder and when the lease expires (ISO-8601). */
record LeaseRecord(String holder, Instant expiresAt) {
    private static final String VERSION = "v1";

    byte[] bytes() {
        return (VERSION + "\n" + holder + "\n" + expiresAt + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Parses what {@link #bytes()} wrote; throws {@link IllegalArgumentException} for anything else. */
    static LeaseRecord parse(byte[] bytes) {
        String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n", -1);
        if (lines.length != 4 || !lines[0].equals(VERSION) || lines[1].isEmpty() || !lines[3].isEmpty()) {
            throw new IllegalArgumentException("not a v1 lease");
        }
        try {
            return new LeaseRecord(lines[1], Instant.parse(lines[2]));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("invalid time in lease", e);
        }
    }

    /**
     * When the lease in {@code object} expires: as its body says, or, for a body that is no lease, {@code ttl} after it
     * was last written.
     */
    static Instant expiry(S3Objects.Small object, Duration ttl) {
        try {
            return parse(object.bytes()).expiresAt();
        } catch (IllegalArgumentException e) {
            return object.lastModified().plus(ttl);
        }
    }

    /** True when {@code object} is a lease held by {@code holder}. */
    static boolean isHeldBy(S3Objects.Small object, String holder) {
        try {
            return parse(object.bytes()).holder().equals(holder);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
