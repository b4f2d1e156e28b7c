package dev.wharf.storage.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.storage.BlobStore;
import dev.wharf.storage.BlobStoreContract;
import dev.wharf.storage.BlobWriter;
import dev.wharf.storage.Digest;
import dev.wharf.storage.StorageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.exception.SdkClientException;

/** The blob store contract on S3 with parts uploaded while writers write, and what that upload must never leave. */
@ExtendWith(S3Lab.Extension.class)
class S3EagerUploadTest extends BlobStoreContract {
    private static final int PART = (int) S3BlobSettings.MIN_PART_SIZE;
    private static final int WRITE = 1 << 20;

    @TempDir
    Path dir;

    private final ExecutorService partUploads = Executors.newFixedThreadPool(2);
    private S3Lab lab;
    private S3Bucket bucket;
    private FaultyS3Client client;

    @Override
    protected BlobStore newStore() {
        lab = S3Lab.get();
        bucket = lab.freshBucket();
        client = new FaultyS3Client(lab.client());
        S3BlobSettings settings =
                S3BlobSettings.of(bucket, dir.resolve("spools")).withPartSize(PART);
        return S3BlobStore.open(client, Optional.empty(), settings, partUploads);
    }

    @AfterEach
    void stopUploads() {
        partUploads.shutdownNow();
    }

    @Override
    protected long leftovers() {
        return spoolFiles() + pendingUploads();
    }

    @Test
    void partsGoUpWhileTheWriterWritesAndAppearOnlyOnCommit() throws Exception {
        byte[] bytes = random(3 * PART + 1, 1);
        Digest digest = Digest.sha256(bytes);
        CountDownLatch threeParts = partsUploaded(3);

        try (BlobWriter writer = store.create(digest, bytes.length)) {
            writeInChunks(writer, bytes);
            assertTrue(threeParts.await(30, TimeUnit.SECONDS), "whole parts are uploaded before the commit");
            assertTrue(store.stat(digest).isEmpty(), "nothing is visible before verification");
            assertEquals(1, pendingUploads());

            writer.commit();
        }

        assertEquals(4, client.parts.get());
        assertArrayEquals(bytes, readAll(digest));
        assertEquals(0, leftovers());
    }

    @Test
    void aFailedVerificationAbortsThePartsAlreadyUploaded() throws Exception {
        byte[] bytes = random(2 * PART + 1, 2);
        Digest claimed = Digest.sha256(utf8("something else"));
        CountDownLatch twoParts = partsUploaded(2);
        BlobWriter writer = store.create(claimed, bytes.length);
        writeInChunks(writer, bytes);
        assertTrue(twoParts.await(30, TimeUnit.SECONDS));

        StorageException e = assertThrows(StorageException.class, writer::verify);

        assertEquals(StorageException.Kind.CORRUPT, e.kind());
        assertTrue(store.stat(claimed).isEmpty());
        assertEquals(0, leftovers());
        writer.close();
    }

    @Test
    void closingWithoutCommitAbortsThePartsAlreadyUploaded() throws Exception {
        byte[] bytes = random(2 * PART + 1, 3);
        Digest digest = Digest.sha256(bytes);
        CountDownLatch twoParts = partsUploaded(2);
        try (BlobWriter writer = store.create(digest, bytes.length)) {
            writeInChunks(writer, bytes);
            assertTrue(twoParts.await(30, TimeUnit.SECONDS));
        }

        assertTrue(store.stat(digest).isEmpty());
        assertEquals(0, leftovers());
    }

    @Test
    void aFailedPartFailsTheCommitAndLeavesNothing() {
        byte[] bytes = random(3 * PART + 1, 4);
        Digest digest = Digest.sha256(bytes);
        client.beforePart = part -> {
            if (part == 2) {
                throw SdkClientException.create("connection reset");
            }
        };

        try (BlobWriter writer = store.create(digest, bytes.length)) {
            writeInChunks(writer, bytes);
            StorageException e = assertThrows(StorageException.class, writer::commit);
            assertEquals(StorageException.Kind.UNAVAILABLE, e.kind());
        }

        assertTrue(store.stat(digest).isEmpty());
        assertEquals(0, leftovers());
    }

    @Test
    void aDigestStoredMeanwhileIsANoOpAndAbortsTheParts() throws Exception {
        byte[] bytes = random(2 * PART + 1, 5);
        Digest digest = Digest.sha256(bytes);
        CountDownLatch twoParts = partsUploaded(2);
        try (BlobWriter writer = store.create(digest, bytes.length)) {
            writeInChunks(writer, bytes);
            assertTrue(twoParts.await(30, TimeUnit.SECONDS));
            put(digest, bytes.length, bytes);

            writer.commit();
        }

        assertArrayEquals(bytes, readAll(digest));
        assertEquals(0, leftovers());
    }

    @Test
    void aWriteRefusedAfterVerificationLeavesTheUploadGoing() throws Exception {
        byte[] bytes = random(2 * PART + 1, 7);
        Digest digest = Digest.sha256(bytes);
        try (BlobWriter writer = store.create(digest, bytes.length)) {
            writeInChunks(writer, bytes);
            writer.verify();
            assertThrows(IllegalStateException.class, () -> writer.write(ByteBuffer.wrap(bytes, 0, 1)));

            writer.commit();
        }

        assertArrayEquals(bytes, readAll(digest));
        assertEquals(3, client.parts.get());
        assertEquals(0, leftovers());
    }

    @Test
    void aBlobOfOnePartIsPutWhole() throws Exception {
        byte[] bytes = random(PART, 6);

        put(Digest.sha256(bytes), bytes.length, bytes);

        assertEquals(0, client.parts.get());
        assertEquals(1, client.puts.get());
    }

    private CountDownLatch partsUploaded(int parts) {
        CountDownLatch latch = new CountDownLatch(parts);
        client.beforePart = part -> latch.countDown();
        return latch;
    }

    private static void writeInChunks(BlobWriter writer, byte[] bytes) {
        for (int at = 0; at < bytes.length; at += WRITE) {
            writer.write(ByteBuffer.wrap(bytes, at, Math.min(WRITE, bytes.length - at)));
        }
    }

    private long spoolFiles() {
        try (Stream<Path> files = Files.list(dir.resolve("spools"))) {
            return files.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
