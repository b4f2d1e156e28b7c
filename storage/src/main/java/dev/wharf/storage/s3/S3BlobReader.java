package dev.wharf.storage.s3;

import dev.wharf.storage.BlobReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Optional;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * Reads one stored blob with ranged GETs of at most {@link #WINDOW} bytes. A read that continues where the last one
 * stopped goes on with the same response; a read elsewhere drops it and asks for a new range. Nothing is buffered
 * beyond the caller's buffer. Not thread-safe.
 */
final class S3BlobReader implements BlobReader {
    /** The most one GET asks for, so that dropping a response early wastes little. */
    static final long WINDOW = 8L << 20;

    private static final int COPY = 64 * 1024;

    private final S3Client client;
    private final String bucket;
    private final String key;
    private final long size;
    private ResponseInputStream<GetObjectResponse> body;
    private long bodyAt;
    private long bodyEnd;
    // Reused by every read into a direct buffer: a reader serves one response at a time.
    private byte[] copy;

    S3BlobReader(S3Client client, String bucket, String key, long size) {
        this.client = client;
        this.bucket = bucket;
        this.key = key;
        this.size = size;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        if (position < 0) {
            throw new IllegalArgumentException("negative position");
        }
        if (position >= size) {
            return -1;
        }
        if (!dst.hasRemaining()) {
            return 0;
        }
        if (body == null || position != bodyAt || bodyAt >= bodyEnd) {
            request(position);
        }
        int wanted = (int) Math.min(dst.remaining(), bodyEnd - bodyAt);
        int n;
        try {
            n = dst.hasArray() ? readIntoArray(dst, wanted) : readThroughCopy(dst, wanted);
        } catch (IOException e) {
            // A broken response: the next read asks for its range again.
            drop();
            throw e;
        }
        if (n < 0) {
            drop();
            throw new IOException("blob " + key + " ended before its size");
        }
        bodyAt += n;
        return n;
    }

    private int readIntoArray(ByteBuffer dst, int wanted) throws IOException {
        int n = body.read(dst.array(), dst.arrayOffset() + dst.position(), wanted);
        if (n > 0) {
            dst.position(dst.position() + n);
        }
        return n;
    }

    private int readThroughCopy(ByteBuffer dst, int wanted) throws IOException {
        if (copy == null) {
            copy = new byte[COPY];
        }
        int n = body.read(copy, 0, Math.min(wanted, COPY));
        if (n > 0) {
            dst.put(copy, 0, n);
        }
        return n;
    }

    private void request(long position) throws IOException {
        drop();
        long end = Math.min(size, position + WINDOW);
        String range = "bytes=" + position + "-" + (end - 1);
        try {
            body = client.getObject(b -> b.bucket(bucket).key(key).range(range));
        } catch (SdkException e) {
            throw new IOException(S3Errors.io("read " + key, e).getMessage(), e);
        }
        bodyAt = position;
        bodyEnd = end;
    }

    /** Drops the current response; one not read to its end is aborted rather than drained. */
    private void drop() {
        ResponseInputStream<GetObjectResponse> dropped = body;
        if (dropped == null) {
            return;
        }
        body = null;
        if (bodyAt < bodyEnd) {
            dropped.abort();
        }
        try {
            dropped.close();
        } catch (IOException e) {
            // A response we no longer want; its connection is discarded either way.
        }
    }

    /** Empty: the bytes are remote. */
    @Override
    public Optional<FileChannel> fileChannel() {
        return Optional.empty();
    }

    @Override
    public void close() {
        drop();
    }
}
