package dev.wharf.proxy.pull;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.storage.BlobReader;
import dev.wharf.storage.BlobWriter;
import dev.wharf.storage.Digest;
import dev.wharf.storage.ForwardingBlobWriter;
import dev.wharf.storage.StorageException;
import dev.wharf.storage.fs.FileBlobStore;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelinedCopyTest {
    private static final int CHUNK = PipelinedCopy.CHUNK;

    @TempDir
    Path root;

    private final ExecutorService writes = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        writes.shutdownNow();
    }

    @Test
    void everyByteReachesTheStoreInOrderAndVerifies() throws Exception {
        byte[] body = random(5 * CHUNK + 12_345);
        Digest digest = Digest.sha256(body);
        FileBlobStore store = FileBlobStore.open(root);
        AtomicInteger afterWrites = new AtomicInteger();

        try (BlobWriter writer = store.create(digest, body.length)) {
            PipelinedCopy.copy(new ByteArrayInputStream(body), writer, writes, afterWrites::incrementAndGet);
            writer.commit();
        }

        assertArrayEquals(body, stored(store, digest));
        assertTrue(afterWrites.get() >= 6, "one progress report per chunk written, got " + afterWrites.get());
    }

    @Test
    void aBodyThatTricklesInIsWrittenAsItArrivesNotWhenAChunkIsFull() throws Exception {
        byte[] body = random(3_000);
        FileBlobStore store = FileBlobStore.open(root);
        CountDownLatch firstPieceWritten = new CountDownLatch(1);
        // Sends 1,000 bytes, then withholds the rest until the store holds them.
        InputStream trickle = new FilterInputStream(new ByteArrayInputStream(body)) {
            private int sent;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (sent == 1_000) {
                    await(firstPieceWritten);
                }
                int n = super.read(b, off, Math.min(len, 1_000));
                sent += Math.max(n, 0);
                return n;
            }

            @Override
            public int available() {
                return 0;
            }
        };

        try (BlobWriter writer = store.create(Digest.sha256(body), body.length)) {
            PipelinedCopy.copy(trickle, writer, writes, () -> firstPieceWritten.countDown());
            writer.commit();
            assertEquals(body.length, writer.written());
        }
    }

    @Test
    void theReceiveGoesOnWhileAWriteIsHeldUpToTheBoundedChunksAndNoFurther() throws Exception {
        byte[] body = random(12 * CHUNK);
        Digest digest = Digest.sha256(body);
        FileBlobStore store = FileBlobStore.open(root);
        CountingStream counted = new CountingStream(body);
        CountDownLatch releaseFirstWrite = new CountDownLatch(1);
        Thread[] receiver = new Thread[1];
        ExecutorService receiving = Executors.newSingleThreadExecutor(task -> receiver[0] = new Thread(task));

        try (BlobWriter writer = new HeldFirstWrite(store.create(digest, body.length), releaseFirstWrite)) {
            CompletableFuture<Void> copy =
                    CompletableFuture.runAsync(() -> PipelinedCopy.copy(counted, writer, writes, () -> {}), receiving);

            // The first chunk's write is held: the receive fills the other chunks, then parks for a free one.
            long bound = (long) PipelinedCopy.DEPTH * CHUNK;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!(counted.read.get() >= bound && receiver[0].getState() == Thread.State.WAITING)
                    && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(Thread.State.WAITING, receiver[0].getState(), "the receive waits for a free chunk");
            assertEquals(bound, counted.read.get(), "received while the first write is held: the bounded chunks");
            assertEquals(0, writer.written());
            assertFalse(copy.isDone());

            releaseFirstWrite.countDown();
            copy.get(10, TimeUnit.SECONDS);
            writer.commit();
        } finally {
            receiving.shutdownNow();
        }
        assertArrayEquals(body, stored(store, digest));
    }

    @Test
    void aFailedWriteEndsTheCopyWithItsFailureAfterNoWriteRunsAnyMore() throws Exception {
        byte[] body = random(8 * CHUNK);
        FileBlobStore store = FileBlobStore.open(root);
        StorageException diskFull = new StorageException(StorageException.Kind.IO, "no space left");
        AtomicInteger writesStarted = new AtomicInteger();
        AtomicInteger writesRunning = new AtomicInteger();

        try (BlobWriter real = store.create(Digest.sha256(body), body.length)) {
            BlobWriter failing = new ForwardingBlobWriter(real) {
                @Override
                public void write(ByteBuffer src) {
                    writesRunning.incrementAndGet();
                    try {
                        if (writesStarted.incrementAndGet() == 3) {
                            throw diskFull;
                        }
                        super.write(src);
                    } finally {
                        writesRunning.decrementAndGet();
                    }
                }
            };
            StorageException thrown = assertThrows(
                    StorageException.class,
                    () -> PipelinedCopy.copy(new ByteArrayInputStream(body), failing, writes, () -> {}));
            assertSame(diskFull, thrown);
            assertEquals(0, writesRunning.get(), "no write runs once the copy has thrown");
            assertEquals(3, writesStarted.get(), "no write after the failed one");
        }
    }

    @Test
    void aBodyThatBreaksEndsTheCopyAfterTheWritesBeforeItSettled() throws Exception {
        byte[] body = random(3 * CHUNK);
        FileBlobStore store = FileBlobStore.open(root);
        InputStream breaking = new FilterInputStream(new ByteArrayInputStream(body)) {
            private int reads;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (++reads == 3) {
                    throw new IOException("connection reset");
                }
                return super.read(b, off, Math.min(len, CHUNK));
            }

            @Override
            public int available() {
                return 0;
            }
        };

        try (BlobWriter writer = store.create(Digest.sha256(body), body.length)) {
            UncheckedIOException thrown = assertThrows(
                    UncheckedIOException.class, () -> PipelinedCopy.copy(breaking, writer, writes, () -> {}));
            assertEquals("connection reset", thrown.getCause().getMessage());
            assertEquals(2L * CHUNK, writer.written(), "the two chunks received before the break are written");
        }
    }

    private static byte[] stored(FileBlobStore store, Digest digest) throws IOException {
        try (BlobReader reader = store.open(digest).orElseThrow()) {
            ByteBuffer bytes = ByteBuffer.allocate((int) reader.size());
            while (bytes.hasRemaining() && reader.read(bytes, bytes.position()) >= 0) {
                // reads until full
            }
            return bytes.array();
        }
    }

    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    private static void await(CountDownLatch latch) throws IOException {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IOException("the first piece was not written within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** Hands out at most one chunk per read, counting what was read. */
    private static final class CountingStream extends FilterInputStream {
        final AtomicLong read = new AtomicLong();

        CountingStream(byte[] body) {
            super(new ByteArrayInputStream(body));
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, Math.min(len, CHUNK));
            read.addAndGet(Math.max(n, 0));
            return n;
        }
    }

    /** Holds the first write until released. */
    private static final class HeldFirstWrite extends ForwardingBlobWriter {
        private final CountDownLatch release;
        private boolean first = true;

        HeldFirstWrite(BlobWriter target, CountDownLatch release) {
            super(target);
            this.release = release;
        }

        @Override
        public void write(ByteBuffer src) {
            if (first) {
                first = false;
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            super.write(src);
        }
    }
}
