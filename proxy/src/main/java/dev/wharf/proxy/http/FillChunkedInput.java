package dev.wharf.proxy.http;

import dev.wharf.proxy.pull.Fill;
import dev.wharf.storage.BlobReader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.FileRegion;
import io.netty.handler.stream.ChunkedInput;
import io.netty.handler.stream.ChunkedWriteHandler;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Streams a byte range of a blob while its {@link Fill} writes it, at the client's own pace ({@link
 * ChunkedWriteHandler} follows channel writability), as buffers ({@link #buffers}, wrapped in an HTTP chunked input) or as file regions
 * sent by sendfile ({@link #regions}). When nothing new has landed, {@link #readChunk} returns null and the handler
 * waits; the fill's listener resumes it on the channel's event loop. The last byte of the response is held back until
 * the fill's bytes are verified (not until they are durable), so a response whose bytes fail verification is never
 * complete: on failure the read throws, the write fails and the connection is closed short of its Content-Length.
 *
 * <p>Threading: chunks are made on the event loop. A region costs no read; a buffer is a small (64 KiB) read of bytes
 * the fill has just written, so it comes from the page cache and does not wait on the disk in practice.
 */
final class FillChunkedInput<T> implements ChunkedInput<T> {
    private static final int BUFFER_CHUNK = 64 * 1024;
    private static final int REGION_CHUNK = 1024 * 1024;

    /** Makes the chunk of {@code size} bytes at {@code position}, all of which the fill has written. */
    private interface Chunks<T> {
        T read(ByteBufAllocator allocator, long position, int size) throws IOException;
    }

    private final Fill fill;
    private final BlobReader partial;
    private final long first;
    private final long end;
    private final int chunkSize;
    private final Chunks<T> chunks;
    private final Runnable unlisten;
    private long position;
    private boolean closed;

    /** Chunks read into buffers: for TLS, and for stores that are not local files. */
    static FillChunkedInput<ByteBuf> buffers(Fill fill, BlobReader partial, long first, long length, Channel channel) {
        return new FillChunkedInput<>(
                fill,
                partial,
                first,
                length,
                channel,
                BUFFER_CHUNK,
                (allocator, position, size) -> PrefetchedChunkedInput.readFully(partial, allocator, position, size));
    }

    /** Chunks sent from {@code file} (the partial reader's own) by sendfile: no copy through user space. */
    static FillChunkedInput<FileRegion> regions(
            Fill fill, BlobReader partial, FileChannel file, long first, long length, Channel channel) {
        return new FillChunkedInput<>(
                fill,
                partial,
                first,
                length,
                channel,
                REGION_CHUNK,
                (allocator, position, size) -> new SharedFileRegion(file, position, size));
    }

    private FillChunkedInput(
            Fill fill, BlobReader partial, long first, long length, Channel channel, int chunkSize, Chunks<T> chunks) {
        this.fill = fill;
        this.partial = partial;
        this.first = first;
        this.position = first;
        this.end = first + length;
        this.chunkSize = chunkSize;
        this.chunks = chunks;
        ChunkedWriteHandler chunked = channel.pipeline().get(ChunkedWriteHandler.class);
        AtomicBoolean wakeupPending = new AtomicBoolean();
        // Runs on the fill thread after every chunk: at most one wake-up is queued per channel at a time.
        this.unlisten = fill.listen(() -> {
            if (wakeupPending.compareAndSet(false, true)) {
                try {
                    channel.eventLoop().execute(() -> {
                        wakeupPending.set(false);
                        chunked.resumeTransfer();
                    });
                } catch (RejectedExecutionException e) {
                    // The event loop is shutting down; the channel goes with it.
                }
            }
        });
    }

    @Override
    public boolean isEndOfInput() {
        return position >= end;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            unlisten.run();
            partial.close();
        }
    }

    @Override
    @Deprecated
    public T readChunk(ChannelHandlerContext ctx) throws IOException {
        return readChunk(ctx.alloc());
    }

    @Override
    public T readChunk(ByteBufAllocator allocator) throws IOException {
        if (isEndOfInput()) {
            return null;
        }
        // The fill decides what may go out: never the last byte before the bytes are verified.
        long limit = fill.sendableEnd(end);
        if (limit <= position) {
            return null;
        }
        int size = (int) Math.min(chunkSize, limit - position);
        T chunk = chunks.read(allocator, position, size);
        position += size;
        return chunk;
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
