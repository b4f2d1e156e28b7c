package dev.wharf.proxy.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/** Reading upstream bodies without trusting their size. */
final class BoundedBody {
    /** How much of an unwanted body is read to keep the connection; beyond it, the connection is dropped. */
    private static final int DISCARD_LIMIT = 64 * 1024;

    private BoundedBody() {}

    /**
     * Reads at most {@code max + 1} bytes and closes the stream. A result longer than {@code max} means the body was
     * too large; nothing past that byte is read.
     */
    static byte[] readAtMost(InputStream in, int max) throws IOException {
        try (in) {
            byte[] buffer = new byte[Math.min(max + 1, 64 * 1024)];
            int length = 0;
            while (length <= max) {
                if (length == buffer.length) {
                    buffer = Arrays.copyOf(buffer, Math.min(max + 1, buffer.length * 2));
                }
                int n = in.read(buffer, length, buffer.length - length);
                if (n < 0) {
                    break;
                }
                length += n;
            }
            return Arrays.copyOf(buffer, length);
        }
    }

    /** Reads and drops up to 64 KiB, then closes; never throws, also not for a stalled body. */
    static void discard(InputStream in) {
        try (in) {
            byte[] buffer = new byte[8192];
            int total = 0;
            int n;
            while (total < DISCARD_LIMIT && (n = in.read(buffer)) >= 0) {
                total += n;
            }
        } catch (IOException | UpstreamException ignored) {
            // The answer is already decided; a broken or stalled body only costs the connection.
        }
    }
}
