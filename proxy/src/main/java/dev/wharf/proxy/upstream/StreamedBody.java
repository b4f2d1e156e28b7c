package dev.wharf.proxy.upstream;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * A body read straight from the connection's socket, each read waiting at most the timeout (the socket's own read
 * timeout: only time inside a read counts, so a slow consumer is never cut off). A stalled read, and every read after
 * it, fails with {@link UpstreamException#timedOut()}, and the connection is dropped. Closed at its end, the
 * connection goes back to the JDK's keep-alive pool; closed before, it is dropped rather than drained. Used by one
 * thread.
 */
final class StreamedBody extends FilterInputStream {
    private final HttpURLConnection connection;
    private final Duration timeout;
    private final String described;
    private boolean ended;
    private boolean stalled;

    StreamedBody(HttpURLConnection connection, InputStream in, Duration timeout, String described) {
        super(in);
        this.connection = connection;
        this.timeout = timeout;
        this.described = described;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (stalled) {
            throw stalledFailure(null);
        }
        try {
            int n = in.read(b, off, len);
            if (n < 0) {
                ended = true;
            }
            return n;
        } catch (SocketTimeoutException e) {
            // Every later read fails the same way: the connection is gone.
            stalled = true;
            connection.disconnect();
            throw stalledFailure(e);
        }
    }

    @Override
    public void close() throws IOException {
        if (ended) {
            in.close();
        } else {
            connection.disconnect();
        }
    }

    private UpstreamException stalledFailure(Throwable cause) {
        return UpstreamException.timeout(0, described + ": body stalled for " + timeout.toMillis() + " ms", cause);
    }
}
