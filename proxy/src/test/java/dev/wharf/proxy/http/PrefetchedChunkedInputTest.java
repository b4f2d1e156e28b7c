package dev.wharf.proxy.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.storage.BlobReader;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.stream.ChunkedWriteHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PrefetchedChunkedInputTest {
    private final ExecutorService workers = Executors.newSingleThreadExecutor();
    private final EmbeddedChannel channel = new EmbeddedChannel(new ChunkedWriteHandler());

    @AfterEach
    void stop() {
        workers.shutdownNow();
        channel.finishAndReleaseAll();
    }

    @Test
    void aReadThatWaitsHoldsAWorkerNotTheEventLoopAndEveryByteArrivesInOrder() throws Exception {
        byte[] blob = new byte[3 * PrefetchedChunkedInput.CHUNK + 777];
        new Random(1).nextBytes(blob);
        HeldReader reader = new HeldReader(blob);

        // On the event loop (this thread, for an embedded channel): returns while the first read still waits.
        ChannelFuture done =
                channel.writeAndFlush(new PrefetchedChunkedInput(reader, 0, blob.length, workers, channel));
        assertFalse(done.isDone());
        assertNull(channel.readOutbound(), "nothing is sent before the read returns");

        reader.release.countDown();
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!done.isDone() && System.nanoTime() < deadline) {
            channel.runPendingTasks();
            drain(sent);
            Thread.onSpinWait();
        }
        drain(sent);

        assertTrue(done.isSuccess(), "the transfer completed");
        assertArrayEquals(blob, sent.toByteArray());
        assertTrue(reader.closed.get(), "the reader is closed at the end");
    }

    @Test
    void aFailedReadFailsTheTransfer() throws Exception {
        BlobReader broken = new HeldReader(new byte[100]) {
            @Override
            public int read(ByteBuffer dst, long position) throws IOException {
                throw new IOException("bucket unreachable");
            }
        };

        ChannelFuture done = channel.writeAndFlush(new PrefetchedChunkedInput(broken, 0, 100, workers, channel));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!done.isDone() && System.nanoTime() < deadline) {
            channel.runPendingTasks();
            Thread.onSpinWait();
        }

        assertFalse(done.isSuccess());
        assertEquals("bucket unreachable", done.cause().getMessage());
    }

    @Test
    void closingWhileAReadRunsClosesTheReaderOnlyOnceTheReadEnded() throws Exception {
        HeldReader reader = new HeldReader(new byte[1000]);
        PrefetchedChunkedInput input = new PrefetchedChunkedInput(reader, 0, 1000, workers, channel);
        assertNull(input.readChunk(channel.alloc()), "the first read starts on the worker");
        assertTrue(reader.started.await(10, TimeUnit.SECONDS));

        input.close();
        assertFalse(reader.closed.get(), "not closed under a running read");
        reader.release.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!reader.closed.get() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertTrue(reader.closed.get(), "closed once the read ended");
    }

    private void drain(ByteArrayOutputStream sent) {
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null) {
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            buf.release();
            sent.writeBytes(bytes);
        }
    }

    /** A reader of bytes in memory whose reads wait until released, as a remote store's may. */
    private static class HeldReader implements BlobReader {
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch started = new CountDownLatch(1);
        final AtomicBoolean closed = new AtomicBoolean();
        private final byte[] bytes;

        HeldReader(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            if (position >= bytes.length) {
                return -1;
            }
            int n = (int) Math.min(dst.remaining(), bytes.length - position);
            dst.put(bytes, (int) position, n);
            return n;
        }

        @Override
        public Optional<FileChannel> fileChannel() {
            return Optional.empty();
        }

        @Override
        public void close() {
            closed.set(true);
        }
    }
}
