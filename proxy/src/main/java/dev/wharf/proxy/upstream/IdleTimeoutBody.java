package dev.wharf.proxy.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * An upstream body whose blocked read fails once it has waited the idle timeout without a byte arriving. A watchdog
 * then closes the underlying stream, which unblocks the read and drops the connection; that read and every later one
 * throw {@link UpstreamException} ({@link UpstreamException.Kind#UNAVAILABLE}, {@link UpstreamException#timedOut()}).
 * Only time spent inside {@code read} counts, so a slow consumer is never cut off, nor is a slow body that keeps
 * making progress. The watchdog starts at the first read and stops at the end of the body, a failure or close.
 */
final class IdleTimeoutBody extends InputStream {
    private final InputStream in;
    private final long timeoutNanos;
    private final String described;
    private final ScheduledExecutorService watchdog;

    // Guarded by this: the watchdog thread and the reading thread both use them.
    private boolean reading;
    private long readingSince;
    private boolean stalled;
    private boolean finished;
    private ScheduledFuture<?> check;

    /**
     * Watches {@code in}; {@code described} names the request in the failure ("upstream x: GET /v2/..."). Checks run
     * on {@code watchdog}, which every body of an upstream shares: a check only compares times and, at most, closes a
     * stream.
     */
    IdleTimeoutBody(InputStream in, Duration timeout, String described, ScheduledExecutorService watchdog) {
        this.in = Objects.requireNonNull(in, "in");
        this.timeoutNanos = timeout.toNanos();
        this.described = Objects.requireNonNull(described, "described");
        this.watchdog = Objects.requireNonNull(watchdog, "watchdog");
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        begin();
        int n;
        try {
            n = in.read(b, off, len);
        } catch (IOException e) {
            stop();
            if (isStalled()) {
                throw stalledFailure(e);
            }
            throw e;
        } finally {
            end();
        }
        if (n < 0) {
            stop();
        }
        return n;
    }

    @Override
    public int available() throws IOException {
        return in.available();
    }

    @Override
    public void close() throws IOException {
        stop();
        in.close();
    }

    private synchronized void begin() {
        if (stalled) {
            throw stalledFailure(null);
        }
        reading = true;
        readingSince = System.nanoTime();
        if (check == null && !finished) {
            check = watchdog.schedule(this::check, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    private synchronized void end() {
        reading = false;
    }

    private synchronized void stop() {
        finished = true;
        if (check != null) {
            check.cancel(false);
        }
    }

    private synchronized boolean isStalled() {
        return stalled;
    }

    private UpstreamException stalledFailure(Throwable cause) {
        return UpstreamException.timeout(
                0,
                described + ": body stalled for "
                        + Duration.ofNanos(timeoutNanos).toMillis() + " ms",
                cause);
    }

    /** Runs on the watchdog thread: fails a read that has waited too long, otherwise looks again when it could. */
    private void check() {
        synchronized (this) {
            if (finished) {
                return;
            }
            long now = System.nanoTime();
            long waited = reading ? now - readingSince : 0;
            if (waited < timeoutNanos) {
                check = watchdog.schedule(this::check, timeoutNanos - waited, TimeUnit.NANOSECONDS);
                return;
            }
            stalled = true;
            finished = true;
        }
        try {
            in.close();
        } catch (IOException ignored) {
            // Closing only drops the connection; the blocked read reports the stall.
        }
    }
}
