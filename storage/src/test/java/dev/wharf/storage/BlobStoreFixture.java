package dev.wharf.storage;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A fresh store for each test, a spool directory for it, and what the blob role contracts share. */
public abstract class BlobStoreFixture {
    protected static final int CHUNK = 1 << 20;

    /** A directory of this test's own, for the store and its spools. */
    @TempDir
    protected Path dir;

    protected BlobStore store;

    /** A fresh, empty store, kept under {@link #dir} if it needs a disk. */
    protected abstract BlobStore newStore() throws Exception;

    /** Where spools for the store go. */
    protected abstract Path spoolDirectory();

    @BeforeEach
    void openStore() throws Exception {
        store = newStore();
        Files.createDirectories(spoolDirectory());
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    /** A spool in {@link #spoolDirectory()}. */
    protected final Spool spool(Digest expected, long expectedSize) {
        return Spool.create(spoolDirectory(), expected, expectedSize);
    }

    /** Spools, verifies and publishes {@code bytes}; returns their digest. */
    protected final Digest ingest(byte[] bytes) {
        Digest digest = Digest.sha256(bytes);
        try (Spool spool = spool(digest, bytes.length)) {
            int half = bytes.length / 2;
            spool.write(ByteBuffer.wrap(bytes, 0, half));
            spool.write(ByteBuffer.wrap(bytes, half, bytes.length - half));
            spool.verify();
            store.publish(spool);
        }
        return digest;
    }

    /** Files left in the spool directory. */
    protected final long spoolFiles() {
        try (Stream<Path> files = Files.list(spoolDirectory())) {
            return files.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads {@code n} bytes of {@code content} from {@code position}, fewer when its size ends them first, whatever
     * its case; fails when the content ends before its size.
     */
    protected static byte[] read(BlobContent content, long position, int n) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.max(0, Math.min(n, content.size() - position)));
        while (buffer.hasRemaining()) {
            long at = position + buffer.position();
            int read;
            if (content instanceof BlobContent.LocalFile file) {
                read = file.channel().read(buffer, at);
            } else if (content instanceof BlobContent.Ranged ranged) {
                read = ranged.reader().read(buffer, at);
            } else {
                return fail("a redirect has no bytes to read: " + content);
            }
            if (read < 0) {
                fail("content ended before its size");
            }
        }
        return buffer.array();
    }

    /** All bytes of {@code content}. */
    protected static byte[] readAll(BlobContent content) throws IOException {
        return read(content, 0, (int) content.size());
    }

    protected static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code chunks} chunks of reproducible random bytes. */
    protected static byte[] random(int chunks, int seed) {
        byte[] bytes = new byte[chunks * CHUNK];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
