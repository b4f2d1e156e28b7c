package dev.wharf.storage.s3;

import dev.wharf.storage.BlobReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * The bytes {@code [from, to)} of a {@link BlobReader}, as a stream an upload reads. Positional reads only, so several
 * streams (a retried part, say) may share one reader, which the stream never closes.
 */
final class RangeInputStream extends InputStream {
    private final BlobReader reader;
    private final long to;
    private long at;

    RangeInputStream(BlobReader reader, long from, long to) {
        this.reader = reader;
        this.at = from;
        this.to = to;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (at >= to) {
            return -1;
        }
        int n = reader.read(ByteBuffer.wrap(b, off, (int) Math.min(len, to - at)), at);
        if (n < 0) {
            throw new IOException("spool ended before its size");
        }
        at += n;
        return n;
    }

    @Override
    public int available() {
        return (int) Math.min(Integer.MAX_VALUE, to - at);
    }
}
