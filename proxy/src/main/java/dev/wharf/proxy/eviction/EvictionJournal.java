package dev.wharf.proxy.eviction;

import dev.wharf.storage.Digest;
import dev.wharf.storage.RepositoryName;
import dev.wharf.storage.Tag;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * What an eviction in progress deletes, written durably before the first delete and cleared after the last, so that
 * an eviction cut short (a crash, a kill) is completed by the next start. One file, {@code eviction.journal} in the
 * cache directory, whose {@link #RESERVE} bytes are allocated once when the journal opens: later writes overwrite
 * them in place, so a journal can be written on a full filesystem, which is when eviction is needed most. Its text:
 *
 * <pre>
 * wharf-eviction v1 LENGTH CRC32     of the lines below
 * tag     upstream  repository  tag
 * digest  sha256:…
 * </pre>
 *
 * followed by zeros. A cleared journal starts with a zero byte. A header whose length or checksum does not match (a
 * write torn by a crash) is no journal: deleting starts only once the journal is synced, so nothing was deleted yet.
 * Tags come first, then digests in the order they go (manifests before the blobs they reference), so an eviction
 * replayed from any point deletes only what was planned and never leaves a tag pointing at a deleted manifest.
 */
final class EvictionJournal {
    /** The bytes kept for the journal; a larger eviction is journaled in parts ({@link #fits}). */
    static final int RESERVE = 256 * 1024;

    private static final String HEADER = "wharf-eviction v1";

    /** The deletions a journal lists. */
    record Entries(List<TagRef> tags, List<Digest> digests) {}

    private final Path file;

    /** Opens the journal in {@code directory}, allocating its bytes when it has none yet. */
    EvictionJournal(Path directory) {
        this.file = directory.resolve("eviction.journal");
        try (FileChannel channel =
                FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (channel.size() < RESERVE) {
                long at = channel.size();
                channel.write(ByteBuffer.allocate((int) (RESERVE - at)), at);
                channel.force(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the eviction journal " + file, e);
        }
    }

    /** Whether {@code entries} fit in one journal. */
    static boolean fits(Entries entries) {
        return encode(entries).length <= RESERVE;
    }

    /** Writes the journal of {@code entries}, synced to disk before it returns; they must {@link #fits fit}. */
    void write(Entries entries) {
        byte[] bytes = encode(entries);
        if (bytes.length > RESERVE) {
            throw new IllegalArgumentException("journal of " + bytes.length + " bytes exceeds " + RESERVE);
        }
        overwrite(ByteBuffer.wrap(bytes));
    }

    /** The journal left by an eviction that did not finish; empty when there is none. */
    Optional<Entries> read() {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the eviction journal " + file, e);
        }
        int newline = indexOf(bytes, (byte) '\n');
        if (bytes.length == 0 || bytes[0] == 0 || newline < 0) {
            return Optional.empty();
        }
        String[] header = new String(bytes, 0, newline, StandardCharsets.UTF_8).split(" ");
        if (header.length != 4 || !(header[0] + " " + header[1]).equals(HEADER)) {
            return Optional.empty();
        }
        int length;
        long crc;
        try {
            length = Integer.parseInt(header[2]);
            crc = Long.parseLong(header[3]);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (length < 0 || newline + 1 + length > bytes.length || crc(bytes, newline + 1, length) != crc) {
            return Optional.empty();
        }
        return Optional.of(parse(new String(bytes, newline + 1, length, StandardCharsets.UTF_8)));
    }

    /** Marks the journal empty once every deletion it lists is done. */
    void clear() {
        overwrite(ByteBuffer.wrap(new byte[1]));
    }

    private void overwrite(ByteBuffer bytes) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            while (bytes.hasRemaining()) {
                channel.write(bytes, bytes.position());
            }
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the eviction journal " + file, e);
        }
    }

    private static byte[] encode(Entries entries) {
        StringBuilder text = new StringBuilder();
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
        byte[] body = text.toString().getBytes(StandardCharsets.UTF_8);
        byte[] header =
                (HEADER + " " + body.length + " " + crc(body, 0, body.length) + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[header.length + body.length];
        System.arraycopy(header, 0, all, 0, header.length);
        System.arraycopy(body, 0, all, header.length, body.length);
        return all;
    }

    private Entries parse(String text) {
        List<TagRef> tags = new ArrayList<>();
        List<Digest> digests = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] fields = line.split("\t", -1);
            if (fields[0].equals("tag") && fields.length == 4) {
                tags.add(new TagRef(fields[1], RepositoryName.parse(fields[2]), Tag.parse(fields[3])));
            } else if (fields[0].equals("digest") && fields.length == 2) {
                digests.add(Digest.parse(fields[1]));
            } else if (!line.isEmpty()) {
                throw new IllegalStateException("unreadable line in the eviction journal " + file);
            }
        }
        return new Entries(tags, digests);
    }

    private static long crc(byte[] bytes, int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, offset, length);
        return crc.getValue();
    }

    private static int indexOf(byte[] bytes, byte wanted) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }
}
