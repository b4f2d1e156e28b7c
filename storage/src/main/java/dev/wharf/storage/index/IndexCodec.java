package dev.wharf.storage.index;

import dev.wharf.storage.Digest;
import dev.wharf.storage.DigestEntry;
import dev.wharf.storage.RepositoryName;
import dev.wharf.storage.StorageException;
import dev.wharf.storage.Tag;
import dev.wharf.storage.TagEntry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Keys and values of {@link RocksIndex}. Keys join validated parts with NUL, which no part may contain, so one key
 * can never be mistaken for another's prefix. Values start with a version byte.
 */
final class IndexCodec {
    static final byte VERSION = 1;
    static final byte[] EMPTY = new byte[0];
    private static final char SEPARATOR = '\0';

    private IndexCodec() {}

    static byte[] repositoryPrefix(String upstream, RepositoryName repository) {
        return utf8(checkUpstream(upstream) + SEPARATOR + repository.value() + SEPARATOR);
    }

    static byte[] tagKey(String upstream, RepositoryName repository, Tag tag) {
        return utf8(checkUpstream(upstream) + SEPARATOR + repository.value() + SEPARATOR + tag.value());
    }

    /** The parts of a key of the tags column family. */
    record TagKey(String upstream, RepositoryName repository, Tag tag) {}

    static TagKey tagOfKey(byte[] key) {
        String[] parts = new String(key, StandardCharsets.UTF_8).split(String.valueOf(SEPARATOR), -1);
        if (parts.length != 3) {
            throw unreadable(new IOException("tag key of " + parts.length + " parts"));
        }
        try {
            return new TagKey(parts[0], RepositoryName.parse(parts[1]), Tag.parse(parts[2]));
        } catch (IllegalArgumentException e) {
            throw unreadable(e);
        }
    }

    static byte[] seenKey(String upstream, RepositoryName repository, Digest digest) {
        return utf8(checkUpstream(upstream) + SEPARATOR + repository.value() + SEPARATOR + digest);
    }

    static byte[] digestKey(Digest digest) {
        return utf8(digest.toString());
    }

    static Digest digestOfKey(byte[] key) {
        return Digest.parse(new String(key, StandardCharsets.UTF_8));
    }

    /** The part of {@code key} after {@code prefix}, as text. */
    static String suffix(byte[] key, byte[] prefix) {
        return new String(key, prefix.length, key.length - prefix.length, StandardCharsets.UTF_8);
    }

    static boolean startsWith(byte[] key, byte[] prefix) {
        if (key.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (key[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    static byte[] encode(TagEntry entry) {
        return write(out -> {
            out.writeUTF(entry.digest().toString());
            out.writeUTF(entry.mediaType());
            writeInstant(out, entry.fetchedAt());
            writeInstant(out, entry.verifiedAt());
        });
    }

    static TagEntry decodeTag(byte[] value) {
        try (DataInputStream in = read(value)) {
            return new TagEntry(Digest.parse(in.readUTF()), in.readUTF(), readInstant(in), readInstant(in));
        } catch (IOException | RuntimeException e) {
            throw unreadable(e);
        }
    }

    static byte[] encode(DigestEntry entry) {
        return write(out -> {
            out.writeLong(entry.size());
            out.writeUTF(entry.mediaType());
            writeInstant(out, entry.lastAccess());
        });
    }

    static DigestEntry decodeDigest(byte[] value) {
        try (DataInputStream in = read(value)) {
            return new DigestEntry(in.readLong(), in.readUTF(), readInstant(in));
        } catch (IOException | RuntimeException e) {
            throw unreadable(e);
        }
    }

    private interface Body {
        void writeTo(DataOutputStream out) throws IOException;
    }

    private static byte[] write(Body body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            body.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static DataInputStream read(byte[] value) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(value));
        byte version = in.readByte();
        if (version != VERSION) {
            throw new IOException("unknown index value version " + version);
        }
        return in;
    }

    private static void writeInstant(DataOutputStream out, Instant instant) throws IOException {
        out.writeLong(instant.getEpochSecond());
        out.writeInt(instant.getNano());
    }

    private static Instant readInstant(DataInputStream in) throws IOException {
        return Instant.ofEpochSecond(in.readLong(), in.readInt());
    }

    private static StorageException unreadable(Exception cause) {
        return new StorageException(StorageException.Kind.IO, "unreadable index entry", cause);
    }

    private static String checkUpstream(String upstream) {
        if (upstream.isEmpty() || upstream.indexOf(SEPARATOR) >= 0) {
            throw new IllegalArgumentException("upstream name must be non-empty and contain no NUL");
        }
        return upstream;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
