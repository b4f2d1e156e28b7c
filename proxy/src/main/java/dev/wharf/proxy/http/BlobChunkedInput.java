package dev.wharf.proxy.http;

import dev.wharf.storage.BlobReader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.stream.ChunkedInput;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Streams a byte range of a {@link BlobReader} in chunks, following channel writability. Used where zero-copy is not
 * possible (TLS, stores that are not local files). Reads run on the event loop, so the reader must not wait long.
 */
final class BlobChunkedInput implements ChunkedInput<ByteBuf> {
    private static final int CHUNK = 64 * 1024;

    private final BlobReader reader;
    private final long end;
    private long position;

    BlobChunkedInput(BlobReader reader, long first, long length) {
        this.reader = reader;
        this.position = first;
        this.end = first + length;
    }

    @Override
    public boolean isEndOfInput() {
        return position >= end;
    }

    @Override
    public void close() {
        reader.close();
    }

    @Override
    @Deprecated
    public ByteBuf readChunk(ChannelHandlerContext ctx) throws IOException {
        return readChunk(ctx.alloc());
    }

    @Override
    public ByteBuf readChunk(ByteBufAllocator allocator) throws IOException {
        if (isEndOfInput()) {
            return null;
        }
        int size = (int) Math.min(CHUNK, end - position);
        ByteBuf buf = readFully(reader, allocator, position, size);
        position += size;
        return buf;
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
        return end;
    }

    @Override
    public long progress() {
        return position;
    }
}
