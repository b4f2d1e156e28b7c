package dev.wharf.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Reads the file of a {@link Spool}, never past what the spool reports written. The channel was opened on the spool's
 * path, so it keeps reading the same inode after a store renames the file into place. Not thread-safe.
 */
final class SpoolReader implements BlobReader {
    private final FileChannel channel;
    private final LongSupplier written;

    SpoolReader(FileChannel channel, LongSupplier written) {
        this.channel = channel;
        this.written = written;
    }

    @Override
    public long size() {
        return written.getAsLong();
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        if (position < 0) {
            throw new IllegalArgumentException("negative position");
        }
        long end = written.getAsLong();
        if (position >= end) {
            return -1;
        }
        int n = (int) Math.min(dst.remaining(), end - position);
        ByteBuffer window = dst.slice(dst.position(), n);
        int read = channel.read(window, position);
        if (read > 0) {
            dst.position(dst.position() + read);
        }
        return read;
    }

    /** The spool file: bytes below {@link #size()} are written and stay as they are, so they may be sent zero-copy. */
    @Override
    public Optional<FileChannel> fileChannel() {
        return Optional.of(channel);
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.IO, "cannot close spool reader", e);
        }
    }
}
