package dev.wharf.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Optional;

/** Random-access reading of one stored blob. Not thread-safe; close it when done. */
public interface BlobReader extends AutoCloseable {
    /** Size in bytes. */
    long size();

    /** Reads into {@code dst} from {@code position}; returns the bytes read, or -1 at the end. */
    int read(ByteBuffer dst, long position) throws IOException;

    /**
     * The underlying file when the blob is a local file, for zero-copy transfer of bytes below {@link #size()} (a
     * partial reader's file may be longer, or still growing); the channel stays owned by this reader. Empty for
     * remote stores.
     */
    Optional<FileChannel> fileChannel();

    @Override
    void close();
}
