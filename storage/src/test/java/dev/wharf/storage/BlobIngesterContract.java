package dev.wharf.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What every {@link BlobIngester} of a store must do with a {@link Spool}; each store's role test runs it. */
public abstract class BlobIngesterContract extends BlobStoreFixture {
    @Test
    void aPublishedSpoolIsStoredAndLeavesNoFile() throws Exception {
        byte[] bytes = utf8("through the spool");

        Digest digest = ingest(bytes);

        try (BlobContent content = store.openContent(digest).orElseThrow()) {
            assertArrayEquals(bytes, readAll(content));
        }
        assertEquals(0, spoolFiles());
    }

    @Test
    void aSpoolIsReadableWhileItGrowsOnAnotherThread() throws Exception {
        byte[] bytes = random(6, 11);
        Digest digest = Digest.sha256(bytes);
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try (Spool spool = spool(digest, bytes.length);
                BlobReader growing = spool.openReader()) {
            Future<?> writing = writer.submit(() -> {
                for (int at = 0; at < bytes.length; at += CHUNK / 2) {
                    spool.write(ByteBuffer.wrap(bytes, at, CHUNK / 2));
                }
            });
            byte[] seen = new byte[bytes.length];
            ByteBuffer buffer = ByteBuffer.allocate(CHUNK / 3);
            for (int total = 0; total < bytes.length; ) {
                int n = growing.read(buffer.clear(), total);
                if (n > 0) {
                    buffer.flip().get(seen, total, n);
                    total += n;
                } else {
                    assertTrue(growing.size() <= bytes.length);
                    Thread.onSpinWait();
                }
            }
            writing.get(10, TimeUnit.SECONDS);
            assertArrayEquals(bytes, seen);

            spool.verify();
            store.publish(spool);
            ByteBuffer again = ByteBuffer.allocate(16);
            assertEquals(16, growing.read(again, bytes.length - 16), "the reader survives the publish");
            assertArrayEquals(Arrays.copyOfRange(bytes, bytes.length - 16, bytes.length), again.array());
        } finally {
            writer.shutdownNow();
        }
        assertEquals(bytes.length, store.stat(digest).orElseThrow().size());
        assertEquals(0, spoolFiles());
    }

    @Test
    void aDigestMismatchPublishesNothingAndRemovesTheSpool() {
        byte[] bytes = utf8("not what was promised");
        Digest claimed = Digest.sha256(utf8("what was promised"));
        Spool spool = spool(claimed, bytes.length);
        spool.write(ByteBuffer.wrap(bytes));

        StorageException e = assertThrows(StorageException.class, spool::verify);

        assertEquals(StorageException.Kind.CORRUPT, e.kind());
        assertEquals(0, spoolFiles(), "the spool is removed at once");
        assertThrows(IllegalStateException.class, () -> store.publish(spool));
        assertTrue(store.stat(claimed).isEmpty());
        assertTrue(store.stat(Digest.sha256(bytes)).isEmpty());
        spool.close();
    }

    @Test
    void aSizeMismatchPublishesNothingAndRemovesTheSpool() {
        byte[] bytes = utf8("twelve bytes");
        Digest digest = Digest.sha256(bytes);
        Spool spool = spool(digest, bytes.length + 1);
        spool.write(ByteBuffer.wrap(bytes));

        StorageException e = assertThrows(StorageException.class, spool::verify);

        assertEquals(StorageException.Kind.CORRUPT, e.kind());
        assertEquals(0, spoolFiles());
        assertTrue(store.stat(digest).isEmpty());
    }

    @Test
    void anUnverifiedSpoolIsRefused() {
        byte[] bytes = utf8("not checked yet");
        Digest digest = Digest.sha256(bytes);
        try (Spool spool = spool(digest, bytes.length)) {
            spool.write(ByteBuffer.wrap(bytes));

            assertThrows(IllegalStateException.class, () -> store.publish(spool));
        }
        assertTrue(store.stat(digest).isEmpty());
        assertEquals(0, spoolFiles());
    }

    @Test
    void closingWithoutPublishingLeavesNothing() {
        byte[] bytes = utf8("abandoned");
        Digest digest = Digest.sha256(bytes);
        Spool spool = spool(digest, bytes.length);
        spool.write(ByteBuffer.wrap(bytes));
        spool.verify();

        spool.close();
        spool.close();

        assertTrue(store.stat(digest).isEmpty());
        assertEquals(0, spoolFiles());
        assertThrows(IllegalStateException.class, () -> store.publish(spool));
    }

    @Test
    void publishingAStoredDigestIsANoOpSuccess() throws Exception {
        byte[] bytes = utf8("stored twice");
        Digest digest = ingest(bytes);

        ingest(bytes);

        try (BlobContent content = store.openContent(digest).orElseThrow()) {
            assertArrayEquals(bytes, readAll(content));
        }
        assertEquals(0, spoolFiles());
    }

    @Test
    void concurrentIngestsOfOneDigestBothSucceed() throws Exception {
        byte[] bytes = random(3, 7);
        Digest digest = Digest.sha256(bytes);
        CyclicBarrier bothVerified = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                results.add(pool.submit(() -> {
                    try (Spool spool = spool(digest, bytes.length)) {
                        spool.write(ByteBuffer.wrap(bytes));
                        spool.verify();
                        bothVerified.await(10, TimeUnit.SECONDS);
                        store.publish(spool);
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

        try (BlobContent content = store.openContent(digest).orElseThrow()) {
            assertArrayEquals(bytes, readAll(content));
        }
        assertEquals(0, spoolFiles());
    }

    @Test
    void aSpoolInAnotherDirectoryPublishesToo() throws Exception {
        byte[] bytes = utf8("spooled elsewhere");
        Digest digest = Digest.sha256(bytes);
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        try (Spool spool = Spool.create(elsewhere, digest, bytes.length)) {
            spool.write(ByteBuffer.wrap(bytes));
            spool.verify();
            store.publish(spool);
        }

        try (BlobContent content = store.openContent(digest).orElseThrow()) {
            assertArrayEquals(bytes, readAll(content));
        }
        try (var left = Files.list(elsewhere)) {
            assertEquals(0, left.count());
        }
    }

    @Test
    void closedStoreRefusesToPublish() {
        byte[] bytes = utf8("too late");
        try (Spool spool = spool(Digest.sha256(bytes), bytes.length)) {
            spool.write(ByteBuffer.wrap(bytes));
            spool.verify();
            store.close();

            StorageException e = assertThrows(StorageException.class, () -> store.publish(spool));
            assertEquals(StorageException.Kind.IO, e.kind());
        }
        assertEquals(0, spoolFiles());
    }
}
