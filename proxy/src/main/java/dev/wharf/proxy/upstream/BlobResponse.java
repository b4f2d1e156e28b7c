package dev.wharf.proxy.upstream;

import java.io.InputStream;

/**
 * A blob body being streamed from an upstream. A read that waits the upstream's read timeout without a byte arriving
 * fails with an {@link UpstreamException} ({@link UpstreamException.Kind#UNAVAILABLE}, {@link
 * UpstreamException#timedOut()}) and drops the connection; a slow body that keeps arriving is read to its end.
 * Closing before the end drops the connection.
 */
public interface BlobResponse extends AutoCloseable {
    /** The announced length in bytes, or -1 when the upstream did not say. */
    long contentLength();

    /** The body; read it once. Reads throw {@link UpstreamException} when the body stalls. */
    InputStream body();

    /** Releases the connection; never throws. */
    @Override
    void close();
}
