package dev.wharf.proxy.http;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A single byte range of a blob of known length (RFC 9110 section 14). Only one range is honoured: a header naming
 * several is answered with the full body, as is one that does not parse. All arithmetic is on {@code long}.
 */
record ByteRange(long first, long last) {
    private static final Pattern SINGLE = Pattern.compile("bytes=(\\d{0,19})-(\\d{0,19})");

    /** Thrown when a syntactically valid range cannot be satisfied; answer 416. */
    static final class Unsatisfiable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final long length;

        Unsatisfiable(long length) {
            super("range not satisfiable", null, false, false);
            this.length = length;
        }

        /** The blob's length, for {@code Content-Range: bytes *}{@code /length}. */
        long length() {
            return length;
        }
    }

    /** The range to send; empty means the whole body. Throws {@link Unsatisfiable}. */
    static Optional<ByteRange> parse(String header, long length) {
        if (header == null) {
            return Optional.empty();
        }
        Matcher m = SINGLE.matcher(header.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        String a = m.group(1);
        String b = m.group(2);
        if (a.isEmpty() && b.isEmpty()) {
            return Optional.empty();
        }
        if (a.isEmpty()) {
            long suffix = parseOrMax(b);
            if (suffix == 0 || length == 0) {
                throw new Unsatisfiable(length);
            }
            return Optional.of(new ByteRange(Math.max(0, length - suffix), length - 1));
        }
        long first = parseOrMax(a);
        long last = b.isEmpty() ? length - 1 : Math.min(parseOrMax(b), length - 1);
        if (first >= length || (!b.isEmpty() && parseOrMax(b) < first)) {
            throw new Unsatisfiable(length);
        }
        return Optional.of(new ByteRange(first, last));
    }

    private static long parseOrMax(String digits) {
        // 19 digits can exceed Long.MAX_VALUE: such a number is past any end.
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    long length() {
        return last - first + 1;
    }

    String contentRange(long total) {
        return "bytes " + first + "-" + last + "/" + total;
    }
}
