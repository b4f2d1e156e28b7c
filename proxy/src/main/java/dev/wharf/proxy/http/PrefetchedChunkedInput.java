package dev.wharf.proxy.http;

import dev.wharf.storage.BlobReader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.stream.ChunkedInput;
import io.netty.handler.stream.ChunkedWriteHandler;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Streams a byte range of a reader whose reads may wait (a bucket's ranged GETs) without making the event loop wait:
 * each chunk is read on a worker, and the transfer is woken when it is ready; the next chunk is read while the last is
 * written, so at most two chunks per response are in memory: one written and waiting for the socket (the channel turns
 * unwritable with it, and no further chunk is written), one read ahead.
 *
 * <p>On HTTP/1.1 a connection carries one response at a time: two {@link #CHUNK}s per connection. On HTTP/2 it carries
 * up to {@code maxConcurrentStreams} at once, and a stream's chunk is written whole as soon as its window is above 0,
 * to wait in the codec's flow controller: the chunks of a stream are {@link #STREAM_CHUNK}, the initial stream window,
 * so one connection pins at most {@code maxConcurrentStreams × 2 × 64 KiB} (12.5 MiB at the default 100 streams).
 */
final class PrefetchedChunkedInput implements ChunkedInput<ByteBuf> {
    /** The chunk of an HTTP/1.1 connection. */
    static final int CHUNK = 1024 * 1024;
    /** The chunk of an HTTP/2 stream: the protocol's initial stream window (65,535 bytes), rounded up. */
    static final int STREAM_CHUNK = 64 * 1024;

    private final BlobReader reader;
    private final long first;
    private final long end;
    private final Executor workers;
    private final Channel channel;
    private final ByteBufAllocator allocator;
    private final int chunkSize;
    private long position;
    private CompletableFuture<ByteBuf> pending;
    private boolean closed;

    PrefetchedChunkedInput(BlobReader reader, long first, long length, Executor workers, Channel channel) {
        this.reader = reader;
        this.first = first;
        this.position = first;
        this.end = first + length;
        this.workers = workers;
        this.channel = channel;
        this.allocator = channel.alloc();
        this.chunkSize = channel instanceof Http2StreamChannel ? STREAM_CHUNK : CHUNK;
    }

    @Override
    public boolean isEndOfInput() {
        return position >= end;
    }

    @Override
    @Deprecated
    public ByteBuf readChunk(ChannelHandlerContext ctx) throws IOException {
        return readChunk(ctx.alloc());
    }

    /** The next chunk when its read finished, else null (the transfer resumes once it has). */
    @Override
    public ByteBuf readChunk(ByteBufAllocator unused) throws IOException {
        if (isEndOfInput()) {
            return null;
        }
        if (pending == null) {
            fetch();
            return null;
        }
        if (!pending.isDone()) {
            return null;
        }
        ByteBuf chunk;
        try {
            chunk = pending.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException("blob read failed", e.getCause());
        } finally {
            pending = null;
        }
        position += chunk.readableBytes();
        if (!isEndOfInput()) {
            fetch();
        }
        return chunk;
    }

    private void fetch() {
        long at = position;
        int size = (int) Math.min(chunkSize, end - at);
        CompletableFuture<ByteBuf> read = new CompletableFuture<>();
        pending = read;
        try {
            workers.execute(() -> {
                try {
                    read.complete(readFully(reader, allocator, at, size));
                } catch (IOException | RuntimeException e) {
                    read.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            read.completeExceptionally(new IOException("no worker to read the blob", e));
        }
        read.whenComplete((chunk, failure) -> channel.eventLoop().execute(this::resume));
    }

    private void resume() {
        ChunkedWriteHandler chunked = channel.pipeline().get(ChunkedWriteHandler.class);
        if (chunked != null && !closed) {
            chunked.resumeTransfer();
        }
    }

    /** Closes the reader once no read of it runs any more; a chunk read for nobody is released. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        CompletableFuture<ByteBuf> inFlight = pending;
        pending = null;
        if (inFlight == null) {
            reader.close();
            return;
        }
        inFlight.whenComplete((chunk, failure) -> {
            if (chunk != null) {
                chunk.release();
            }
            reader.close();
        });
    }

    /**
     * Reads exactly {@code size} bytes at {@code position} into a new direct buffer (the file reads into it and the
     * socket writes from it without further copies); releases it and throws when the reader ends early.
     */
    static ByteBuf readFully(BlobReader reader, ByteBufAllocator allocator, long position, int size)
            throws IOException {
        ByteBuf buf = allocator.ioBuffer(size);
        try {
            ByteBuffer nio = buf.nioBuffer(0, size);
            while (nio.hasRemaining()) {
                if (reader.read(nio, position + nio.position()) < 0) {
                    throw new IOException("blob is shorter than expected");
                }
            }
            buf.writerIndex(size);
            return buf;
        } catch (IOException | RuntimeException e) {
            buf.release();
            throw e;
        }
    }

    @Override
    public long length() {
        return end - first;
    }

    @Override
    public long progress() {
        return position - first;
    }
}
