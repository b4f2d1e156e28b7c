package dev.wharf.storage.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.storage.BlobContent;
import dev.wharf.storage.BlobReader;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.BlobStoreContract;
import dev.wharf.storage.Digest;
import dev.wharf.storage.Spool;
import dev.wharf.storage.StorageException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.exception.SdkClientException;

/** The blob store contract on S3, and what only S3 does: key layout, multipart uploads and their failures. */
@ExtendWith(S3Lab.Extension.class)
class S3BlobStoreTest extends BlobStoreContract {
    private static final int PART = (int) S3BlobSettings.MIN_PART_SIZE;

    @TempDir
    Path dir;

    private S3Lab lab;
    private S3Bucket bucket;
    private FaultyS3Client client;

    @Override
    protected BlobStore newStore() {
        lab = S3Lab.get();
        bucket = lab.freshBucket();
        client = new FaultyS3Client(lab.client());
        return S3BlobStore.open(client, Optional.empty(), settings());
    }

    /** Spool files, and multipart uploads started and neither completed nor aborted. */
    @Override
    protected long leftovers() throws Exception {
        return spoolFiles() + pendingUploads();
    }

    @Test
    void aBlobLivesAtItsDigestKeyUnderThePrefix() throws Exception {
        byte[] bytes = utf8("laid out by digest");
        Digest digest = Digest.sha256(bytes);

        put(digest, bytes.length, bytes);

        String hex = digest.encoded();
        String key = bucket.prefix() + "blobs/sha256/" + hex.substring(0, 2) + "/" + hex;
        assertEquals(key, ((S3BlobStore) store).keyOf(digest));
        assertArrayEquals(
                bytes,
                lab.client()
                        .getObjectAsBytes(b -> b.bucket(S3Lab.BUCKET).key(key))
                        .asByteArray());
    }

    @Test
    void aBlobLargerThanAPartGoesUpInPartsAndReadsBackAtAnyRange() throws Exception {
        byte[] bytes = random(2 * PART + PART / 2 + 17, 5);
        Digest digest = Digest.sha256(bytes);

        put(digest, bytes.length, bytes);

        assertEquals(3, client.parts.get());
        assertEquals(0, client.puts.get());
        assertEquals(0, pendingUploads());
        assertArrayEquals(bytes, readAll(digest));
        try (BlobReader reader = store.open(digest).orElseThrow()) {
            for (long at : new long[] {PART - 3, S3BlobReader.WINDOW - 5, 17, bytes.length - 9}) {
                ByteBuffer ten = ByteBuffer.allocate(10);
                while (ten.hasRemaining() && reader.read(ten, at + ten.position()) > 0) {}
                int n = ten.position();
                assertArrayEquals(Arrays.copyOfRange(bytes, (int) at, (int) at + n), Arrays.copyOf(ten.array(), n));
            }
        }
    }

    @Test
    void aSmallBlobGoesUpInOnePut() throws Exception {
        byte[] bytes = random(PART, 6);

        put(Digest.sha256(bytes), bytes.length, bytes);

        assertEquals(1, client.puts.get());
        assertEquals(0, client.parts.get());
    }

    @Test
    void sequentialReadsShareOneRangedGetPerWindow() throws Exception {
        byte[] bytes = random(3 * PART, 8);
        Digest digest = Digest.sha256(bytes);
        put(digest, bytes.length, bytes);
        client.gets.set(0);

        assertArrayEquals(bytes, readAll(digest));

        assertEquals((bytes.length + S3BlobReader.WINDOW - 1) / S3BlobReader.WINDOW, client.gets.get());
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aServedRangedBlobReadsInSmallDirectChunksAcrossWindows() throws Exception {
        byte[] bytes = random((int) (2 * S3BlobReader.WINDOW + 12_345), 11);
        Digest digest = Digest.sha256(bytes);
        put(digest, bytes.length, bytes);

        BlobContent content = store.openContent(digest).orElseThrow();
        try (BlobReader reader = ((BlobContent.Ranged) content).reader()) {
            ByteBuffer all = ByteBuffer.allocate(bytes.length);
            ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024);
            for (long at = 0; at < bytes.length; ) {
                chunk.clear().limit((int) Math.min(chunk.capacity(), bytes.length - at));
                while (chunk.hasRemaining()) {
                    int n = reader.read(chunk, at + chunk.position());
                    if (n <= 0) {
                        throw new AssertionError("read " + n + " at " + (at + chunk.position()));
                    }
                }
                at += chunk.flip().remaining();
                all.put(chunk);
            }
            assertArrayEquals(bytes, all.array());
        }
    }

    @Test
    void aFailedPartAbortsTheUploadAndPublishesNothing() throws Exception {
        byte[] bytes = random(2 * PART + 1, 9);
        Digest digest = Digest.sha256(bytes);
        client.beforePart = part -> {
            if (part == 2) {
                throw SdkClientException.create("connection reset");
            }
        };

        StorageException e = assertThrows(StorageException.class, () -> publish(digest, bytes));

        assertEquals(StorageException.Kind.UNAVAILABLE, e.kind());
        assertEquals(1, client.aborts.get());
        assertTrue(store.stat(digest).isEmpty());
        assertEquals(0, pendingUploads());
        assertEquals(0, spoolFiles());
    }

    @Test
    void aFailedCompletionAbortsTheUpload() throws Exception {
        byte[] bytes = random(PART + 1, 10);
        Digest digest = Digest.sha256(bytes);
        client.beforeComplete = () -> {
            throw SdkClientException.create("connection reset");
        };

        assertThrows(StorageException.class, () -> publish(digest, bytes));

        assertTrue(store.stat(digest).isEmpty());
        assertEquals(0, pendingUploads());
    }

    @Test
    void anInterruptedUploadIsAbortedAndTheInterruptKept() throws Exception {
        byte[] bytes = random(2 * PART + 1, 11);
        Digest digest = Digest.sha256(bytes);
        client.beforePart = part -> {
            if (part == 2) {
                Thread.currentThread().interrupt();
            }
        };

        try {
            StorageException e = assertThrows(StorageException.class, () -> publish(digest, bytes));
            assertEquals(StorageException.Kind.UNAVAILABLE, e.kind());
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept for the caller");
        } finally {
            Thread.interrupted();
        }
        assertTrue(store.stat(digest).isEmpty());
        assertEquals(0, pendingUploads());
    }

    @Test
    void pendingUploadsAreSeenSoTheChecksAboveMeanSomething() {
        String key = bucket.prefix() + "blobs/pending";
        String id = lab.client()
                .createMultipartUpload(b -> b.bucket(S3Lab.BUCKET).key(key))
                .uploadId();

        assertEquals(1, pendingUploads());

        lab.client().abortMultipartUpload(b -> b.bucket(S3Lab.BUCKET).key(key).uploadId(id));
        assertEquals(0, pendingUploads());
    }

    @Test
    void aStoredDigestIsNotUploadedAgain() throws Exception {
        byte[] bytes = utf8("once is enough");
        Digest digest = Digest.sha256(bytes);
        put(digest, bytes.length, bytes);

        put(digest, bytes.length, bytes);

        assertEquals(1, client.puts.get());
    }

    @Test
    void reopeningSweepsSpoolsLeftBehind() throws Exception {
        Path leftover = Files.writeString(dir.resolve("spools/blob-1.part"), "half a layer");

        S3BlobStore.open(client, Optional.empty(), settings()).close();

        assertFalse(Files.exists(leftover));
    }

    @Test
    void redirectsNeedAPresigner() {
        assertThrows(
                IllegalArgumentException.class,
                () -> S3BlobStore.open(
                        client, Optional.empty(), settings().withRedirects(java.time.Duration.ofMinutes(5))));
    }

    private void publish(Digest digest, byte[] bytes) {
        try (Spool spool = Spool.create(dir.resolve("spools"), digest, bytes.length)) {
            spool.write(ByteBuffer.wrap(bytes));
            spool.verify();
            store.publish(spool);
        } finally {
            assertEquals(0, spoolFiles());
        }
    }

    private S3BlobSettings settings() {
        return S3BlobSettings.of(bucket, dir.resolve("spools")).withPartSize(PART);
    }

    private long spoolFiles() {
        try (Stream<Path> files = Files.list(dir.resolve("spools"))) {
            return files.count();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private long pendingUploads() {
        return lab.client()
                .listMultipartUploads(b -> b.bucket(S3Lab.BUCKET).prefix(bucket.prefix()))
                .uploads()
                .size();
    }

    private static byte[] random(int size, int seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
