package dev.wharf.proxy.eviction;

import dev.wharf.storage.Digest;
import dev.wharf.storage.RepositoryName;
import dev.wharf.storage.Tag;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * An eviction of a shared bucket under way, kept as an object in the bucket (written whole by one PutObject before
 * anything is deleted, removed after the last delete), so that any replica completes it. Its text:
 *
 * <pre>
 * wharf-bucket-eviction v1
 * started      2026-11-26T12:00:00Z
 * deleteAfter  2026-11-26T12:15:00Z      the digests go once this has passed
 * tag          upstream  repository  tag  (deleted at once)
 * digest       sha256:…                   (manifests before the blobs they reference)
 * </pre>
 *
 * Fields are separated by tabs.
 */
record BucketJournal(Instant started, Instant deleteAfter, List<TagRef> tags, List<Digest> digests) {
    private static final String HEADER = "wharf-bucket-eviction v1";

    BucketJournal {
        tags = List.copyOf(tags);
        digests = List.copyOf(digests);
    }

    /** The object's name: start time first, so names sort by age, and a random part. */
    static String name(Instant started) {
        return started.toEpochMilli() + "-" + java.util.UUID.randomUUID();
    }

    byte[] bytes() {
        StringBuilder text = new StringBuilder(HEADER).append('\n');
        text.append("started\t").append(started).append('\n');
        text.append("deleteAfter\t").append(deleteAfter).append('\n');
        for (TagRef tag : tags) {
            text.append("tag\t")
                    .append(tag.upstream())
                    .append('\t')
                    .append(tag.repository())
                    .append('\t')
                    .append(tag.tag().value())
                    .append('\n');
        }
        for (Digest digest : digests) {
            text.append("digest\t").append(digest).append('\n');
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Parses what {@link #bytes()} wrote; {@link IllegalArgumentException} for anything else. */
    static BucketJournal parse(byte[] bytes) {
        String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n");
        if (lines.length < 3 || !lines[0].equals(HEADER)) {
            throw new IllegalArgumentException("not a bucket eviction journal");
        }
        Instant started = null;
        Instant deleteAfter = null;
        List<TagRef> tags = new ArrayList<>();
        List<Digest> digests = new ArrayList<>();
        try {
            for (int i = 1; i < lines.length; i++) {
                String[] fields = lines[i].split("\t", -1);
                switch (fields[0]) {
                    case "started" -> started = Instant.parse(fields[1]);
                    case "deleteAfter" -> deleteAfter = Instant.parse(fields[1]);
                    case "tag" -> {
                        if (fields.length != 4) {
                            throw new IllegalArgumentException("bad tag line");
                        }
                        tags.add(new TagRef(fields[1], RepositoryName.parse(fields[2]), Tag.parse(fields[3])));
                    }
                    case "digest" -> digests.add(Digest.parse(fields[1]));
                    default -> throw new IllegalArgumentException("unknown line in a bucket eviction journal");
                }
            }
        } catch (DateTimeParseException | ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("unreadable bucket eviction journal", e);
        }
        if (started == null || deleteAfter == null) {
            throw new IllegalArgumentException("bucket eviction journal without its times");
        }
        return new BucketJournal(started, deleteAfter, tags, digests);
    }
}
