package dev.wharf.proxy.bundle;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes a POSIX ustar archive of regular files, deterministically: every header has mode 0644, uid and gid 0, no
 * user or group name and the same modification time, so the same entries in the same order give the same bytes.
 * Entry bodies are streamed by the caller; nothing is held but one header. Names must be ASCII; one that does not fit
 * ustar's fields (a {@code blobs/sha512/<128 hex>} path) is given in a PAX extended header before its entry.
 */
final class TarWriter implements AutoCloseable {
    static final int BLOCK = 512;
    /** 2000-01-01T00:00:00Z: a fixed time that every tool shows as a date, not as the epoch. */
    static final long MTIME = 946_684_800L;

    private final OutputStream out;
    private long remaining;
    private long size;

    TarWriter(OutputStream out) {
        this.out = out;
    }

    /** Starts an entry of {@code size} bytes; the caller then {@link #write}s exactly that many. */
    void begin(String name, long size) throws IOException {
        if (remaining != 0) {
            throw new IllegalStateException("previous entry is short by " + remaining + " bytes");
        }
        pad();
        if (!fitsUstar(name)) {
            byte[] record = paxRecord("path", name);
            out.write(header("PaxHeaders/" + name.substring(name.lastIndexOf('/') + 1), record.length, 'x'));
            out.write(record);
            int tail = record.length % BLOCK;
            out.write(new byte[tail == 0 ? 0 : BLOCK - tail]);
        }
        out.write(header(name, size, '0'));
        this.remaining = size;
        this.size = size;
    }

    void write(byte[] bytes, int offset, int length) throws IOException {
        if (length > remaining) {
            throw new IllegalStateException("entry is longer than announced");
        }
        out.write(bytes, offset, length);
        remaining -= length;
    }

    /** A whole small entry. */
    void file(String name, byte[] body) throws IOException {
        begin(name, body.length);
        write(body, 0, body.length);
    }

    /** Ends the archive: pads the last entry and writes the two zero blocks. Does not close the stream. */
    @Override
    public void close() throws IOException {
        if (remaining != 0) {
            throw new IllegalStateException("last entry is short by " + remaining + " bytes");
        }
        pad();
        out.write(new byte[2 * BLOCK]);
        out.flush();
    }

    private void pad() throws IOException {
        int tail = (int) (size % BLOCK);
        if (tail != 0) {
            out.write(new byte[BLOCK - tail]);
        }
        size = 0;
    }

    /** Whether {@code name} fits ustar's name field, or its prefix and name fields split at a slash. */
    static boolean fitsUstar(String name) {
        if (name.length() <= 100) {
            return true;
        }
        int slash = name.lastIndexOf('/', 155);
        return slash > 0 && name.length() - slash - 1 <= 100;
    }

    /** A PAX record {@code "<length> key=value\n"}, whose length counts its own digits. */
    static byte[] paxRecord(String key, String value) {
        int rest = (" " + key + "=" + value + "\n").getBytes(StandardCharsets.UTF_8).length;
        int length = rest + String.valueOf(rest).length();
        if (String.valueOf(length).length() > String.valueOf(rest).length()) {
            length++;
        }
        return (length + " " + key + "=" + value + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** A header of type {@code type}; a name that does not fit is cut (its PAX record says it whole). */
    static byte[] header(String name, long size, char type) {
        byte[] h = new byte[BLOCK];
        String prefix = "";
        String base = name;
        if (name.length() > 100 && fitsUstar(name)) {
            int slash = name.lastIndexOf('/', 155);
            prefix = name.substring(0, slash);
            base = name.substring(slash + 1);
        } else if (name.length() > 100) {
            base = name.substring(0, 100);
        }
        put(h, 0, 100, base);
        octal(h, 100, 8, 0644);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        if (size >= 077777777777L) {
            // Beyond 8 GiB: GNU's base-256 size, which Go, GNU tar and our reader read.
            h[124] = (byte) 0x80;
            for (int i = 0; i < 8; i++) {
                h[135 - i] = (byte) (size >>> (8 * i));
            }
        } else {
            octal(h, 124, 12, size);
        }
        octal(h, 136, 12, MTIME);
        h[156] = (byte) type;
        put(h, 257, 6, "ustar");
        put(h, 263, 2, "00");
        put(h, 345, 155, prefix);
        Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        octal(h, 148, 7, sum);
        return h;
    }

    private static void put(byte[] h, int at, int length, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, h, at, Math.min(length, bytes.length));
    }

    /** {@code value} in octal, zero-padded, NUL-terminated, in {@code length} bytes. */
    private static void octal(byte[] h, int at, int length, long value) {
        String digits = Long.toOctalString(value);
        String padded = "0".repeat(Math.max(0, length - 1 - digits.length())) + digits;
        put(h, at, length - 1, padded);
    }
}
