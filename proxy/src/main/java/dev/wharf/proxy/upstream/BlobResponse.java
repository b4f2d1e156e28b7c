package dev.wharf.proxy.upstream;

import java.io.InputStream;

/**
 * A blob body being streamed from an upstream. Reads block and have no idle timeout of their own: a caller that must
 * bound a stalled body closes this response from another thread. Closing before the end drops the connection.
 */
public interface BlobResponse extends AutoCloseable {
    /** The announced length in bytes, or -1 when the upstream did not say. */
    long contentLength();

    /** The body; read it once. */
    InputStream body();

    /** Releases the connection; never throws. */
    @Override
    void close();
}
