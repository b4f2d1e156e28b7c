package dev.wharf.proxy.lab;

import dev.wharf.storage.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.SplittableRandom;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * A gzip'd tar layer holding one file of {@code fileBytes} seeded pseudo-random bytes, generated chunk by chunk as
 * it is read, so it is never held in memory. Deflate runs at level 0 (random data does not compress) to keep
 * generation fast; the blob is a little larger than the file. Every {@link #open()} yields identical bytes.
 */
final class LargeLayer {
    private static final int CHUNK = 64 * 1024;

    private final long fileBytes;
    private final long seed;
    private final Digest digest;
    private final Digest diffId;
    private final long size;

    LargeLayer(long fileBytes, long seed) {
        if (fileBytes < 0) {
            throw new IllegalArgumentException("negative layer size");
        }
        this.fileBytes = fileBytes;
        this.seed = seed;
        MessageDigest blobHash = Hashes.sha256();
        long count = 0;
        try (Generated in = new Generated()) {
            byte[] buffer = new byte[CHUNK];
            for (int n; (n = in.read(buffer)) > 0; ) {
                blobHash.update(buffer, 0, n);
                count += n;
            }
            this.diffId = Hashes.finish(in.diffHash);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.size = count;
        this.digest = Hashes.finish(blobHash);
    }

    Digest digest() {
        return digest;
    }

    Digest diffId() {
        return diffId;
    }

    long size() {
        return size;
    }

    /** A fresh stream of the blob's bytes. */
    InputStream open() {
        return new Generated();
    }

    /** Pulls the archive through gzip one step at a time: header, then one chunk per step, then the trailer. */
    private final class Generated extends InputStream {
        private final Drain drain = new Drain();
        private final MessageDigest diffHash = Hashes.sha256();
        private final GZIPOutputStream gzip;
        private final DigestOutputStream tarStream;
        private final Tar tar;
        private final SplittableRandom random = new SplittableRandom(seed);
        private final byte[] chunk = new byte[CHUNK];
        private long remaining = fileBytes;
        private boolean started;
        private boolean finished;
        private int position;

        Generated() {
            try {
                gzip = new StoredGzip(drain);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            tarStream = new DigestOutputStream(gzip, diffHash);
            tar = new Tar(tarStream);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (position >= drain.size()) {
                if (finished) {
                    return -1;
                }
                drain.reset();
                position = 0;
                step();
            }
            int n = Math.min(len, drain.size() - position);
            System.arraycopy(drain.buffer(), position, b, off, n);
            position += n;
            return n;
        }

        private void step() throws IOException {
            if (!started) {
                started = true;
                tar.directory("data");
                tar.fileHeader("data/large-" + Long.toHexString(seed) + ".bin", fileBytes);
            } else if (remaining > 0) {
                int n = (int) Math.min(CHUNK, remaining);
                random.nextBytes(chunk);
                tarStream.write(chunk, 0, n);
                remaining -= n;
            } else {
                tar.pad(fileBytes);
                tar.finish();
                tarStream.close();
                finished = true;
            }
        }
    }

    private static final class Drain extends ByteArrayOutputStream {
        Drain() {
            super(2 * CHUNK);
        }

        byte[] buffer() {
            return buf;
        }
    }

    private static final class StoredGzip extends GZIPOutputStream {
        StoredGzip(OutputStream out) throws IOException {
            super(out, CHUNK);
            def.setLevel(Deflater.NO_COMPRESSION);
        }
    }
}
