package dev.wharf.storage;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;

/**
 * What a tag points at, as a store keeps it: the manifest's digest and media type, and when the upstream last
 * confirmed the tag pointed there. The media type is non-empty and a single line; no component is null.
 */
public record TagLink(Digest digest, String mediaType, Instant confirmedAt) {
    private static final String VERSION = "v1";

    public TagLink {
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(confirmedAt, "confirmedAt");
        checkMediaType(mediaType);
    }

    /** The link of an index entry: its digest, media type and when it was last verified. */
    public static TagLink of(TagEntry entry) {
        return new TagLink(entry.digest(), entry.mediaType(), entry.verifiedAt());
    }

    /** The index entry this link rebuilds: fetched and verified when it was confirmed. */
    public TagEntry toEntry() {
        return new TagEntry(digest, mediaType, confirmedAt, confirmedAt);
    }

    /** The link as stored: four lines, {@code v1}, digest, media type and confirmation time (ISO-8601). */
    public String format() {
        return VERSION + "\n" + digest + "\n" + mediaType + "\n" + confirmedAt + "\n";
    }

    /** Parses what {@link #format()} wrote; throws {@link IllegalArgumentException} for anything else. */
    public static TagLink parse(String text) {
        String[] lines = text.split("\n", -1);
        if (lines.length != 5 || !lines[0].equals(VERSION) || !lines[4].isEmpty()) {
            throw new IllegalArgumentException("not a v1 tag link");
        }
        try {
            return new TagLink(Digest.parse(lines[1]), lines[2], Instant.parse(lines[3]));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("invalid time in tag link", e);
        }
    }

    /**
     * Throws {@link IllegalArgumentException} unless {@code mediaType} is non-empty, at most 1024 characters and
     * free of control characters, so that it is stored on one line.
     */
    public static String checkMediaType(String mediaType) {
        Objects.requireNonNull(mediaType, "mediaType");
        if (mediaType.isEmpty()
                || mediaType.length() > 1024
                || mediaType.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException("media type must be 1 to 1024 characters without control characters");
        }
        return mediaType;
    }
}
