package dev.wharf.proxy.bundle;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Reads a tar archive once, front to back, entry by entry: ustar and GNU headers, PAX extended headers (their {@code
 * path} and {@code size}), GNU long names, and base-256 sizes, as Go's archive/tar, GNU tar and {@link TarWriter}
 * write them. Only regular files are returned; directories and links are skipped. An archive that ends inside an entry
 * or without its end blocks throws {@link EOFException} naming what was cut short; a header whose checksum fails
 * throws {@link IOException}.
 */
final class TarReader {
    /** One regular file: its name and size; read its bytes from {@link TarReader#body()} before asking for the next. */
    record Entry(String name, long size) {}

    private static final int MAX_EXTENDED = 1024 * 1024;

    private final InputStream in;
    private long remaining;
    private long padding;
    private String current = "";

    TarReader(InputStream in) {
        this.in = in;
    }

    /** The next regular file; empty at the archive's end. */
    Optional<Entry> next() throws IOException {
        skip(remaining + padding, current);
        remaining = 0;
        padding = 0;
        String longName = null;
        long paxSize = -1;
        while (true) {
            byte[] h = new byte[TarWriter.BLOCK];
            if (!readFully(h)) {
                throw new EOFException("the bundle ends without the tar end blocks (truncated after " + quoted() + ")");
            }
            if (isZero(h)) {
                return Optional.empty();
            }
            checkSum(h);
            char type = (char) h[156];
            long size = size(h);
            long pad = (TarWriter.BLOCK - size % TarWriter.BLOCK) % TarWriter.BLOCK;
            String name = longName != null ? longName : name(h);
            if (type == 'x' || type == 'L') {
                if (size > MAX_EXTENDED) {
                    throw new IOException("tar extended header over " + MAX_EXTENDED + " bytes");
                }
                byte[] body = new byte[(int) size];
                if (!readFully(body)) {
                    throw new EOFException("the bundle ends inside a tar extended header");
                }
                skip(pad, "a tar extended header");
                String text = new String(body, StandardCharsets.UTF_8);
                if (type == 'L') {
                    longName = text.replace("\0", "");
                } else {
                    String path = pax(text, "path");
                    longName = path != null ? path : longName;
                    String paxSizeText = pax(text, "size");
                    paxSize = paxSizeText != null ? Long.parseLong(paxSizeText) : paxSize;
                }
                continue;
            }
            if (paxSize >= 0) {
                size = paxSize;
                pad = (TarWriter.BLOCK - size % TarWriter.BLOCK) % TarWriter.BLOCK;
            }
            if (type != '0' && type != '\0' && type != '7') {
                skip(type == '5' ? 0 : size + pad, name);
                longName = null;
                paxSize = -1;
                continue;
            }
            current = name;
            remaining = size;
            padding = pad;
            return Optional.of(new Entry(name.startsWith("./") ? name.substring(2) : name, size));
        }
    }

    /** The current entry's bytes; ends at its end. An archive cut short inside it throws {@link EOFException}. */
    InputStream body() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (remaining == 0) {
                    return -1;
                }
                int n = in.read(b, off, (int) Math.min(len, remaining));
                if (n < 0) {
                    throw new EOFException("the bundle ends inside " + current + " (" + remaining + " bytes missing)");
                }
                remaining -= n;
                return n;
            }
        };
    }

    private String quoted() {
        return current.isEmpty() ? "its start" : current;
    }

    private void skip(long bytes, String what) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        while (bytes > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, bytes));
            if (n < 0) {
                throw new EOFException("the bundle ends inside " + what);
            }
            bytes -= n;
        }
    }

    private boolean readFully(byte[] block) throws IOException {
        int at = 0;
        while (at < block.length) {
            int n = in.read(block, at, block.length - at);
            if (n < 0) {
                return false;
            }
            at += n;
        }
        return true;
    }

    private static boolean isZero(byte[] h) {
        for (byte b : h) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static void checkSum(byte[] h) throws IOException {
        long sum = 0;
        for (int i = 0; i < h.length; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : h[i] & 0xff;
        }
        if (sum != octal(h, 148, 8)) {
            throw new IOException("tar header checksum mismatch: the bundle is corrupt");
        }
    }

    private static long size(byte[] h) throws IOException {
        if ((h[124] & 0x80) != 0) {
            long size = 0;
            for (int i = 125; i < 136; i++) {
                size = (size << 8) | (h[i] & 0xff);
            }
            return size;
        }
        return octal(h, 124, 12);
    }

    private static String name(byte[] h) {
        String name = text(h, 0, 100);
        String magic = text(h, 257, 6);
        String prefix = magic.startsWith("ustar") ? text(h, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static String text(byte[] h, int at, int length) {
        int end = at;
        while (end < at + length && h[end] != 0) {
            end++;
        }
        return new String(h, at, end - at, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] h, int at, int length) throws IOException {
        String text = text(h, at, length).trim();
        if (text.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(text, 8);
        } catch (NumberFormatException e) {
            throw new IOException("invalid number in a tar header: the bundle is corrupt");
        }
    }

    /** The value of {@code key} in PAX records ({@code "<len> key=value\n"}); null when absent. */
    private static String pax(String records, String key) {
        for (String line : records.split("\n")) {
            int space = line.indexOf(' ');
            int equals = line.indexOf('=');
            if (space > 0 && equals > space && line.substring(space + 1, equals).equals(key)) {
                return line.substring(equals + 1);
            }
        }
        return null;
    }
}
