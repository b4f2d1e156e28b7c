package dev.wharf.storage.memory;

import dev.wharf.storage.BlobReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Optional;

/** Reads published chunks; never a file. */
final class MemoryBlobReader implements BlobReader {
    private final Chunks bytes;

    MemoryBlobReader(Chunks bytes) {
        this.bytes = bytes;
    }

    @Override
    public long size() {
        return bytes.size();
    }

    @Override
    public int read(ByteBuffer dst, long position) {
        if (position < 0) {
            throw new IllegalArgumentException("negative position");
        }
        return bytes.read(dst, position);
    }

    @Override
    public Optional<FileChannel> fileChannel() {
        return Optional.empty();
    }

    @Override
    public void close() {}
}
