package dev.wharf.storage;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.util.Objects;

/**
 * Stored bytes opened for serving, in one of three forms a caller switches on once: a local file (disk stores), a
 * source of ranged reads (stores without a local file) or a redirect (stores that hand clients a presigned URL).
 * Close it when done; closing twice does nothing more.
 */
public sealed interface BlobContent extends AutoCloseable {
    /** Size of the blob in bytes. */
    long size();

    /** Releases what the content holds; throws {@link StorageException} of kind IO when that fails. */
    @Override
    void close();

    /**
     * A local file whose first {@code size} bytes are the blob, for zero-copy transfer ({@code sendfile}). The
     * content owns the channel: callers read it but never close it themselves.
     */
    record LocalFile(FileChannel channel, long size) implements BlobContent {
        public LocalFile {
            Objects.requireNonNull(channel, "channel");
            if (size < 0) {
                throw new IllegalArgumentException("size must not be negative");
            }
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException e) {
                throw new StorageException(StorageException.Kind.IO, "cannot close blob file", e);
            }
        }
    }

    /**
     * Positional reads through {@code reader}, for stores that have no local file (heap, and remote stores reading
     * ranges). The content owns the reader.
     */
    record Ranged(BlobReader reader) implements BlobContent {
        public Ranged {
            Objects.requireNonNull(reader, "reader");
        }

        @Override
        public long size() {
            return reader.size();
        }

        @Override
        public void close() {
            reader.close();
        }
    }

    /**
     * A URL, typically presigned and short-lived, from which a client fetches the bytes itself without credentials.
     * Only a store configured to redirect yields it, and only from {@link BlobOpener#openContent}: {@link
     * BlobStore#open} always yields bytes, for callers that must read them (manifests, export). The disk and memory
     * stores never yield it. {@link #toString()} leaves the URL out, since it grants access.
     */
    record Redirect(URI location, long size) implements BlobContent {
        public Redirect {
            Objects.requireNonNull(location, "location");
            if (size < 0) {
                throw new IllegalArgumentException("size must not be negative");
            }
        }

        @Override
        public void close() {}

        @Override
        public String toString() {
            return "Redirect[location=<redacted>, size=" + size + "]";
        }
    }
}
