package dev.wharf.proxy.http;

import dev.wharf.storage.BlobReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Optional;

/**
 * Positional reads of a stored blob's file that a {@link dev.wharf.storage.BlobContent.LocalFile} owns: closing this
 * reader leaves the file open for its owner to close. Lets TLS connections read a local file on a worker through
 * {@link PrefetchedChunkedInput}, since encryption rules out sendfile.
 */
record BorrowedFileReader(FileChannel channel, long size) implements BlobReader {
    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return channel.read(dst, position);
    }

    @Override
    public Optional<FileChannel> fileChannel() {
        return Optional.of(channel);
    }

    @Override
    public void close() {}
}
