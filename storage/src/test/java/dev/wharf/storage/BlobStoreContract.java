package dev.wharf.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link BlobStore} must do; each implementation's test extends this. */
public abstract class BlobStoreContract {
    private static final int CHUNK = 1 << 20;

    protected BlobStore store;

    /** A fresh, empty store. */
    protected abstract BlobStore newStore() throws Exception;

    /** Writes started and not yet finished that the store still holds (temp files, buffers). */
    protected abstract long leftovers() throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void committedBytesReadBackExactly() throws Exception {
        byte[] bytes = utf8("hello, wharf");
        Digest digest = Digest.sha256(bytes);

        put(digest, bytes.length, bytes);

        assertArrayEquals(bytes, readAll(digest));
        assertEquals(Optional.of((long) bytes.length), store.findSize(digest));
        assertEquals(0, leftovers());
    }

    @Test
    void unknownSizeIsAccepted() throws Exception {
        byte[] bytes = utf8("size not announced");
        Digest digest = Digest.sha256(bytes);

        put(digest, -1, bytes);

        assertArrayEquals(bytes, readAll(digest));
    }

    @Test
    void emptyBlobRoundTrips() throws Exception {
        byte[] bytes = new byte[0];
        Digest digest = Digest.sha256(bytes);

        put(digest, 0, bytes);

        assertArrayEquals(bytes, readAll(digest));
    }

    @Test
    void wrongDigestIsCorruptAndPublishesNothing() throws Exception {
        byte[] bytes = utf8("the real bytes");
        Digest claimed = Digest.sha256(utf8("other bytes"));

        StorageException e = assertThrows(StorageException.class, () -> put(claimed, bytes.length, bytes));

        assertEquals(StorageException.Kind.CORRUPT, e.kind());
        assertTrue(store.open(claimed).isEmpty());
        assertTrue(store.findSize(claimed).isEmpty());
        assertTrue(store.open(Digest.sha256(bytes)).isEmpty());
        assertEquals(0, leftovers());
    }

    @Test
    void wrongSizeIsCorruptAndPublishesNothing() throws Exception {
        byte[] bytes = utf8("twelve bytes");
        Digest digest = Digest.sha256(bytes);

        StorageException e = assertThrows(StorageException.class, () -> put(digest, bytes.length + 1, bytes));

        assertEquals(StorageException.Kind.CORRUPT, e.kind());
        assertTrue(store.open(digest).isEmpty());
        assertEquals(0, leftovers());
    }

    @Test
    void verifiedBytesAreReadableBeforeTheyArePublished() throws Exception {
        byte[] bytes = utf8("checked before durable");
        Digest digest = Digest.sha256(bytes);

        try (BlobWriter writer = store.create(digest, bytes.length)) {
            writer.write(ByteBuffer.wrap(bytes));
            writer.verify();
            writer.verify();

            assertTrue(store.open(digest).isEmpty(), "verified is not yet published");
            assertThrows(IllegalStateException.class, () -> writer.write(ByteBuffer.wrap(bytes)));
            try (BlobReader partial = writer.openPartial()) {
                ByteBuffer all = ByteBuffer.allocate(bytes.length);
                assertEquals(bytes.length, partial.read(all, 0));
                assertArrayEquals(bytes, all.array());
            }
            writer.commit();
        }
        assertArrayEquals(bytes, readAll(digest));
        assertEquals(0, leftovers());
    }

    @Test
    void verifyingWrongBytesIsCorruptAndLeavesNothing() throws Exception {
        byte[] bytes = utf8("not what was promised");
        Digest claimed = Digest.sha256(utf8("what was promised"));
        BlobWriter writer = store.create(claimed, bytes.length);
        writer.write(ByteBuffer.wrap(bytes));

        StorageException e = assertThrows(StorageException.class, writer::verify);

        assertEquals(StorageException.Kind.CORRUPT, e.kind());
        assertThrows(IllegalStateException.class, writer::commit);
        assertTrue(store.open(claimed).isEmpty());
        assertEquals(0, leftovers());
    }

    @Test
    void abortLeavesNothing() throws Exception {
        byte[] bytes = utf8("abandoned");
        Digest digest = Digest.sha256(bytes);
        BlobWriter writer = store.create(digest, bytes.length);
        writer.write(ByteBuffer.wrap(bytes));

        writer.abort();
        writer.abort();

        assertTrue(store.open(digest).isEmpty());
        assertEquals(0, leftovers());
        assertThrows(IllegalStateException.class, writer::commit);
    }

    @Test
    void closeWithoutCommitLeavesNothing() throws Exception {
        byte[] bytes = utf8("closed early");
        Digest digest = Digest.sha256(bytes);
        try (BlobWriter writer = store.create(digest, bytes.length)) {
            writer.write(ByteBuffer.wrap(bytes));
            assertEquals(bytes.length, writer.written());
        }

        assertTrue(store.open(digest).isEmpty());
        assertEquals(0, leftovers());
    }

    @Test
    void closeAfterCommitKeepsTheBlob() throws Exception {
        byte[] bytes = utf8("kept");
        Digest digest = Digest.sha256(bytes);
        try (BlobWriter writer = store.create(digest, bytes.length)) {
            writer.write(ByteBuffer.wrap(bytes));
            writer.commit();
            writer.commit();
        }

        assertArrayEquals(bytes, readAll(digest));
    }

    @Test
    void committingAStoredDigestAgainSucceeds() throws Exception {
        byte[] bytes = utf8("stored twice");
        Digest digest = Digest.sha256(bytes);

        put(digest, bytes.length, bytes);
        put(digest, bytes.length, bytes);

        assertArrayEquals(bytes, readAll(digest));
        assertEquals(0, leftovers());
    }

    @Test
    void concurrentWritersOfOneDigestBothSucceed() throws Exception {
        byte[] bytes = new byte[3 * CHUNK + 17];
        new Random(7).nextBytes(bytes);
        Digest digest = Digest.sha256(bytes);
        CyclicBarrier bothWritten = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                results.add(pool.submit(() -> {
                    try (BlobWriter writer = store.create(digest, bytes.length)) {
                        writer.write(ByteBuffer.wrap(bytes));
                        bothWritten.await(10, TimeUnit.SECONDS);
                        writer.commit();
                    }
                    return null;
                }));
            }
            for (Future<?> result : results) {
                result.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertArrayEquals(bytes, readAll(digest));
        assertEquals(0, leftovers());
    }

    @Test
    void largeBlobStreamsInChunks() throws Exception {
        int chunks = 64;
        Digest digest = generatedDigest(chunks);

        try (BlobWriter writer = store.create(digest, (long) chunks * CHUNK)) {
            byte[] buffer = new byte[CHUNK];
            for (int i = 0; i < chunks; i++) {
                generate(i, buffer);
                writer.write(ByteBuffer.wrap(buffer));
            }
            writer.commit();
        }

        MessageDigest hasher = digest.newHasher();
        long total = 0;
        try (BlobReader reader = store.open(digest).orElseThrow()) {
            assertEquals((long) chunks * CHUNK, reader.size());
            ByteBuffer buffer = ByteBuffer.allocate(CHUNK / 4);
            for (int n; (n = reader.read(buffer.clear(), total)) > 0; total += n) {
                hasher.update(buffer.flip());
            }
        }
        assertEquals((long) chunks * CHUNK, total);
        assertEquals(digest.encoded(), HexFormat.of().formatHex(hasher.digest()));
    }

    @Test
    void readsAtAnyPosition() throws Exception {
        byte[] bytes = utf8("0123456789");
        Digest digest = Digest.sha256(bytes);
        put(digest, bytes.length, bytes);

        try (BlobReader reader = store.open(digest).orElseThrow()) {
            ByteBuffer three = ByteBuffer.allocate(3);
            assertEquals(3, reader.read(three, 4));
            assertEquals("456", new String(three.array(), StandardCharsets.UTF_8));

            ByteBuffer rest = ByteBuffer.allocate(8);
            assertEquals(2, reader.read(rest, 8));
            assertEquals("89", new String(rest.array(), 0, 2, StandardCharsets.UTF_8));

            assertEquals(-1, reader.read(ByteBuffer.allocate(1), 10));
            assertEquals(-1, reader.read(ByteBuffer.allocate(1), 1000));
        }
    }

    @Test
    void partialReaderSeesWhatIsWrittenAndKeepsReadingAfterCommit() throws Exception {
        byte[] bytes = utf8("first half|second half");
        Digest digest = Digest.sha256(bytes);
        int half = 11;

        try (BlobWriter writer = store.create(digest, bytes.length)) {
            writer.write(ByteBuffer.wrap(bytes, 0, half));
            try (BlobReader partial = writer.openPartial()) {
                assertEquals(half, partial.size());
                ByteBuffer all = ByteBuffer.allocate(bytes.length);
                assertEquals(half, partial.read(all, 0));
                assertEquals(-1, partial.read(all, half), "nothing past what is written");

                writer.write(ByteBuffer.wrap(bytes, half, bytes.length - half));
                assertEquals(bytes.length, partial.size());
                assertEquals(bytes.length - half, partial.read(all, half));
                writer.commit();

                ByteBuffer again = ByteBuffer.allocate(bytes.length);
                assertEquals(bytes.length, partial.read(again, 0), "the reader survives the publish");
                assertArrayEquals(bytes, again.array());
                assertArrayEquals(bytes, all.array());
                assertEquals(-1, partial.read(ByteBuffer.allocate(1), bytes.length));
            }
        }
        assertArrayEquals(bytes, readAll(digest));
        assertEquals(0, leftovers());
    }

    @Test
    void partialReaderFollowsAWriterOnAnotherThread() throws Exception {
        int chunks = 8;
        Digest digest = generatedDigest(chunks);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (BlobWriter writer = store.create(digest, (long) chunks * CHUNK);
                BlobReader partial = writer.openPartial()) {
            Future<?> writing = pool.submit(() -> {
                byte[] buffer = new byte[CHUNK];
                for (int i = 0; i < chunks; i++) {
                    generate(i, buffer);
                    writer.write(ByteBuffer.wrap(buffer));
                }
            });
            MessageDigest hasher = digest.newHasher();
            ByteBuffer buffer = ByteBuffer.allocate(CHUNK / 3);
            long total = 0;
            while (total < (long) chunks * CHUNK) {
                int n = partial.read(buffer.clear(), total);
                if (n > 0) {
                    hasher.update(buffer.flip());
                    total += n;
                } else {
                    Thread.onSpinWait();
                }
            }
            writing.get(10, TimeUnit.SECONDS);
            writer.commit();
            assertEquals(digest.encoded(), HexFormat.of().formatHex(hasher.digest()));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void openPartialIsRefusedOnceTheWriterIsFinished() {
        byte[] bytes = utf8("done");
        BlobWriter writer = store.create(Digest.sha256(bytes), bytes.length);
        writer.write(ByteBuffer.wrap(bytes));
        writer.commit();

        assertThrows(IllegalStateException.class, writer::openPartial);
        writer.close();
    }

    @Test
    void findSizeAndOpenOfAbsentDigestAreEmpty() {
        Digest absent = Digest.sha256(utf8("never stored"));

        assertTrue(store.findSize(absent).isEmpty());
        assertTrue(store.open(absent).isEmpty());
    }

    @Test
    void deleteRemovesTheBlobAndToleratesAbsence() throws Exception {
        byte[] bytes = utf8("to be deleted");
        Digest digest = Digest.sha256(bytes);
        put(digest, bytes.length, bytes);

        store.delete(digest);
        store.delete(digest);

        assertTrue(store.open(digest).isEmpty());
        assertTrue(store.findSize(digest).isEmpty());
    }

    @Test
    void sha512BlobsAreStoredToo() throws Exception {
        byte[] bytes = utf8("sha512 bytes");
        MessageDigest sha512 = MessageDigest.getInstance("SHA-512");
        Digest digest = new Digest("sha512", HexFormat.of().formatHex(sha512.digest(bytes)));

        put(digest, bytes.length, bytes);

        assertArrayEquals(bytes, readAll(digest));
    }

    @Test
    void closedStoreRefusesWork() {
        store.close();

        StorageException e = assertThrows(StorageException.class, () -> store.open(Digest.sha256(utf8("x"))));
        assertEquals(StorageException.Kind.IO, e.kind());
    }

    protected final void put(Digest digest, long expectedSize, byte[] bytes) {
        try (BlobWriter writer = store.create(digest, expectedSize)) {
            // Two writes, so that hashing across write calls is exercised.
            int half = bytes.length / 2;
            writer.write(ByteBuffer.wrap(bytes, 0, half));
            writer.write(ByteBuffer.wrap(bytes, half, bytes.length - half));
            writer.commit();
        }
    }

    protected final byte[] readAll(Digest digest) throws Exception {
        try (BlobReader reader = store.open(digest).orElseThrow()) {
            ByteBuffer all = ByteBuffer.allocate((int) reader.size());
            while (all.hasRemaining()) {
                if (reader.read(all, all.position()) < 0) {
                    throw new AssertionError("blob ended before its size");
                }
            }
            return all.array();
        }
    }

    protected static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static Digest generatedDigest(int chunks) {
        MessageDigest hasher = Digest.sha256(new byte[0]).newHasher();
        byte[] buffer = new byte[CHUNK];
        for (int i = 0; i < chunks; i++) {
            generate(i, buffer);
            hasher.update(buffer);
        }
        return new Digest("sha256", HexFormat.of().formatHex(hasher.digest()));
    }

    private static void generate(int chunk, byte[] buffer) {
        new Random(chunk).nextBytes(buffer);
    }
}
