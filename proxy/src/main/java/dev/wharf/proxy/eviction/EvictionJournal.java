package dev.wharf.proxy.eviction;

import dev.wharf.storage.Digest;
import dev.wharf.storage.RepositoryName;
import dev.wharf.storage.Tag;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What an eviction in progress deletes, written durably before the first delete and removed after the last, so that
 * an eviction cut short (a crash, a kill) is completed by the next start. One file, {@code eviction.journal} in the
 * cache directory, lines of tab-separated fields:
 *
 * <pre>
 * wharf-eviction v1
 * tag     upstream  repository  tag
 * digest  sha256:…
 * </pre>
 *
 * Tags come first, then digests in the order they go (manifests before the blobs they reference), so an eviction
 * replayed from any point deletes only what was planned and never leaves a tag pointing at a deleted manifest.
 */
final class EvictionJournal {
    private static final String HEADER = "wharf-eviction v1";

    /** The deletions a journal lists. */
    record Entries(List<TagRef> tags, List<Digest> digests) {}

    private final Path file;

    EvictionJournal(Path directory) {
        this.file = directory.resolve("eviction.journal");
    }

    /** Writes the journal of {@code entries}, synced to disk before it returns. */
    void write(Entries entries) {
        StringBuilder text = new StringBuilder(HEADER).append('\n');
        for (TagRef tag : entries.tags()) {
            text.append("tag\t")
                    .append(tag.upstream())
                    .append('\t')
                    .append(tag.repository())
                    .append('\t')
                    .append(tag.tag().value())
                    .append('\n');
        }
        for (Digest digest : entries.digests()) {
            text.append("digest\t").append(digest).append('\n');
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(
                    tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                channel.write(java.nio.ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
                channel.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
                dir.force(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the eviction journal " + file, e);
        }
    }

    /** The journal left by an eviction that did not finish; empty when there is none. */
    Optional<Entries> read() {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the eviction journal " + file, e);
        }
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
            throw new IllegalStateException("the eviction journal " + file + " is not a v1 journal");
        }
        List<TagRef> tags = new ArrayList<>();
        List<Digest> digests = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] fields = line.split("\t", -1);
            if (fields[0].equals("tag") && fields.length == 4) {
                tags.add(new TagRef(fields[1], RepositoryName.parse(fields[2]), Tag.parse(fields[3])));
            } else if (fields[0].equals("digest") && fields.length == 2) {
                digests.add(Digest.parse(fields[1]));
            } else {
                // A torn last line cannot happen (the file is renamed into place whole): anything else is damage.
                throw new IllegalStateException("unreadable line in the eviction journal " + file);
            }
        }
        return Optional.of(new Entries(tags, digests));
    }

    /** Removes the journal once every deletion it lists is done. */
    void clear() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the eviction journal " + file, e);
        }
    }
}
