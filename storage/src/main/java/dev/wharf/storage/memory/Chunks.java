package dev.wharf.storage.memory;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Bytes kept as fixed-size chunks so that growing never copies what is already held. Thread-safe: one thread may
 * append while others read what is already there.
 */
final class Chunks {
    static final int CHUNK_SIZE = 1 << 20;

    private final List<byte[]> chunks = new ArrayList<>();
    private long size;

    synchronized void append(ByteBuffer src) {
        while (src.hasRemaining()) {
            int offset = (int) (size % CHUNK_SIZE);
            if (offset == 0) {
                chunks.add(new byte[CHUNK_SIZE]);
            }
            int n = Math.min(src.remaining(), CHUNK_SIZE - offset);
            src.get(chunks.get(chunks.size() - 1), offset, n);
            size += n;
        }
    }

    synchronized long size() {
        return size;
    }

    /** Copies bytes from {@code position} into {@code dst}; returns the count, or -1 at or past the end. */
    synchronized int read(ByteBuffer dst, long position) {
        if (position >= size) {
            return -1;
        }
        int total = 0;
        long at = position;
        while (dst.hasRemaining() && at < size) {
            int offset = (int) (at % CHUNK_SIZE);
            int n = (int) Math.min(Math.min(dst.remaining(), CHUNK_SIZE - offset), size - at);
            dst.put(chunks.get((int) (at / CHUNK_SIZE)), offset, n);
            at += n;
            total += n;
        }
        return total;
    }
}
