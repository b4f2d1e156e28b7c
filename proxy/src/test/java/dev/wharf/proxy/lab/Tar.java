package dev.wharf.proxy.lab;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Writes a deterministic ustar archive (fixed owner, mode and mtime) to a stream. */
final class Tar {
    private static final int BLOCK = 512;
    private static final long MTIME = 1_700_000_000L;

    private final OutputStream out;

    Tar(OutputStream out) {
        this.out = out;
    }

    void directory(String name) throws IOException {
        out.write(header(name.endsWith("/") ? name : name + "/", 0, '5', 0755));
    }

    void file(String name, byte[] content) throws IOException {
        out.write(header(name, content.length, '0', 0644));
        out.write(content);
        pad(content.length);
    }

    /** Starts a regular file of {@code size} bytes; the caller writes exactly that many, then calls {@link #pad}. */
    void fileHeader(String name, long size) throws IOException {
        out.write(header(name, size, '0', 0644));
    }

    void pad(long written) throws IOException {
        int remainder = (int) (written % BLOCK);
        if (remainder != 0) {
            out.write(new byte[BLOCK - remainder]);
        }
    }

    void finish() throws IOException {
        out.write(new byte[2 * BLOCK]);
    }

    private static byte[] header(String name, long size, char type, int mode) {
        byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        if (nameBytes.length > 100) {
            throw new IllegalArgumentException("tar name too long: " + name);
        }
        byte[] h = new byte[BLOCK];
        System.arraycopy(nameBytes, 0, h, 0, nameBytes.length);
        octal(h, 100, 8, mode);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, MTIME);
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        h[156] = (byte) type;
        ascii(h, 257, "ustar\0");
        ascii(h, 263, "00");
        ascii(h, 265, "root");
        ascii(h, 297, "root");
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        String checksum = String.format("%06o", sum);
        ascii(h, 148, checksum);
        h[154] = 0;
        h[155] = ' ';
        return h;
    }

    private static void octal(byte[] h, int offset, int length, long value) {
        String text = Long.toOctalString(value);
        if (text.length() > length - 1) {
            throw new IllegalArgumentException("value too large for tar field: " + value);
        }
        String padded = "0".repeat(length - 1 - text.length()) + text;
        ascii(h, offset, padded);
        h[offset + length - 1] = 0;
    }

    private static void ascii(byte[] h, int offset, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, h, offset, bytes.length);
    }
}
