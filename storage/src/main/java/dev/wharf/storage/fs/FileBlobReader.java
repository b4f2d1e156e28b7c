package dev.wharf.storage.fs;

import dev.wharf.storage.BlobReader;
import dev.wharf.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Optional;

/** Reads a published blob file. Not thread-safe. */
final class FileBlobReader implements BlobReader {
    private final FileChannel channel;
    private final long size;

    FileBlobReader(FileChannel channel) throws IOException {
        this.channel = channel;
        try {
            // Published files never change, so the size read once stays true.
            this.size = channel.size();
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    /** The channel, for a content that takes it over. */
    FileChannel channel() {
        return channel;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return channel.read(dst, position);
    }

    @Override
    public Optional<FileChannel> fileChannel() {
        return Optional.of(channel);
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.IO, "cannot close blob reader", e);
        }
    }
}
