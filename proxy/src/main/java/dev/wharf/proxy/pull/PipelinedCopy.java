package dev.wharf.proxy.pull;

import dev.wharf.storage.BlobWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Copies a body into a {@link BlobWriter} with the receiving on the calling thread and the writing on another, so that
 * neither waits for the other: while one chunk is written (and hashed), the next ones arrive. At most {@link #DEPTH}
 * chunks of {@link #CHUNK} bytes are held, so memory stays bounded whatever the body's size; the receive waits when the
 * writes fall that far behind. Writes run one at a time, in order, each followed by {@code afterWrite}.
 */
final class PipelinedCopy {
    static final int CHUNK = 512 * 1024;
    static final int DEPTH = 4;

    private final Executor writes;
    private final BlobWriter out;
    private final Runnable afterWrite;
    private final Deque<CompletableFuture<byte[]>> inFlight = new ArrayDeque<>();
    private CompletableFuture<byte[]> last = CompletableFuture.completedFuture(null);

    private PipelinedCopy(BlobWriter out, Executor writes, Runnable afterWrite) {
        this.out = out;
        this.writes = writes;
        this.afterWrite = afterWrite;
    }

    /**
     * Copies {@code in} to its end into {@code out}, running the writes on {@code writes}; returns once every byte is
     * written. Throws {@link UncheckedIOException} when the body fails, or what a write threw; either way only after
     * no write runs any more, so that the caller may abort {@code out}.
     */
    static void copy(InputStream in, BlobWriter out, Executor writes, Runnable afterWrite) {
        new PipelinedCopy(out, writes, afterWrite).run(in);
    }

    private void run(InputStream in) {
        try {
            while (true) {
                byte[] buffer = inFlight.size() < DEPTH ? new byte[CHUNK] : Futures.join(inFlight.removeFirst());
                int n = fill(in, buffer);
                if (n == 0) {
                    break;
                }
                ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
                last = last.thenApplyAsync(
                        previous -> {
                            out.write(chunk);
                            afterWrite.run();
                            return buffer;
                        },
                        writes);
                inFlight.addLast(last);
            }
            Futures.join(last);
        } catch (RuntimeException | Error e) {
            settle(e);
            throw e;
        }
    }

    /**
     * Reads at least once, then on while more has arrived and {@code buffer} has room; returns how many bytes it read, 0
     * at the body's end. A fast body fills whole chunks; a slow one is handed on as it trickles in.
     */
    private static int fill(InputStream in, byte[] buffer) {
        try {
            int n = 0;
            do {
                int read = in.read(buffer, n, buffer.length - n);
                if (read < 0) {
                    break;
                }
                n += read;
            } while (n < buffer.length && in.available() > 0);
            return n;
        } catch (IOException e) {
            throw new UncheckedIOException("upstream body ended early", e);
        }
    }

    /** Waits until no write runs any more, keeping {@code failure} as what is thrown. */
    private void settle(Throwable failure) {
        try {
            last.join();
        } catch (RuntimeException e) {
            if (Futures.unwrap(e) != failure) {
                failure.addSuppressed(Futures.unwrap(e));
            }
        }
    }
}
