package dev.wharf.proxy.http;

import static dev.wharf.proxy.http.RouterFuzzTest.printable;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code Range} headers (the corpus under {@code ByteRangeFuzzTestInputs}: what Docker, containerd and curl send
 * when resuming, and broken variants) against blobs of several sizes, checked against a model that does its
 * arithmetic on unbounded integers, so that no {@code long} overflow goes unnoticed.
 */
class ByteRangeFuzzTest {
    private static final long[] SIZES = {0, 1, 2, 100, 4096, 1L << 40, Long.MAX_VALUE - 1, Long.MAX_VALUE};
    private static final Pattern SINGLE = Pattern.compile("bytes=([0-9]*)-([0-9]*)");

    /**
     * A range lies within the blob and is never empty, a refusal carries the blob's size, and each agrees with RFC 9110
     * section 14.1.2 (first-last clipped to the end, a suffix of the last N bytes, nothing satisfiable past the end).
     */
    @FuzzTest
    void rangesLieWithinTheBlob(byte[] input) {
        String header = new String(input, StandardCharsets.UTF_8);
        for (long size : SIZES) {
            Optional<BigInteger[]> expected;
            try {
                expected = model(header, size);
            } catch (ByteRange.Unsatisfiable modelRefused) {
                expected = null;
            }
            Optional<ByteRange> range;
            try {
                range = ByteRange.parse(header, size);
            } catch (ByteRange.Unsatisfiable refused) {
                assertEquals(size, refused.length(), printable(header));
                assertTrue(expected == null, () -> "refused " + printable(header) + " for size " + size);
                continue;
            }
            assertTrue(expected != null, () -> "satisfied " + printable(header) + " for size " + size);
            Optional<BigInteger[]> wanted = expected;
            assertEquals(wanted.isPresent(), range.isPresent(), () -> printable(header) + " for size " + size);
            range.ifPresent(r -> {
                assertTrue(r.first() >= 0 && r.first() <= r.last() && r.last() < size, () -> r + " of " + size);
                assertEquals(
                        BigInteger.valueOf(r.last() - r.first()).add(BigInteger.ONE), BigInteger.valueOf(r.length()));
                assertEquals(wanted.get()[0], BigInteger.valueOf(r.first()), printable(header));
                assertEquals(wanted.get()[1], BigInteger.valueOf(r.last()), printable(header));
                assertEquals(
                        "bytes " + r.first() + "-" + r.last() + "/" + size, r.contentRange(size), printable(header));
            });
        }
    }

    /**
     * The same rules on unbounded integers: empty for the whole body (absent, unparsable, several ranges, or numbers
     * longer than 19 digits), or first and last; throws {@link ByteRange.Unsatisfiable} for a range past the end.
     */
    private static Optional<BigInteger[]> model(String header, long size) {
        Matcher m = SINGLE.matcher(header.trim());
        if (!m.matches() || m.group(1).length() > 19 || m.group(2).length() > 19) {
            return Optional.empty();
        }
        BigInteger length = BigInteger.valueOf(size);
        String a = m.group(1);
        String b = m.group(2);
        if (a.isEmpty() && b.isEmpty()) {
            return Optional.empty();
        }
        if (a.isEmpty()) {
            BigInteger suffix = new BigInteger(b);
            if (suffix.signum() == 0 || size == 0) {
                throw new ByteRange.Unsatisfiable(size);
            }
            return Optional.of(
                    new BigInteger[] {length.subtract(suffix).max(BigInteger.ZERO), length.subtract(BigInteger.ONE)});
        }
        BigInteger first = new BigInteger(a);
        BigInteger last = b.isEmpty() ? length.subtract(BigInteger.ONE) : new BigInteger(b);
        if (first.compareTo(length) >= 0 || last.compareTo(first) < 0) {
            throw new ByteRange.Unsatisfiable(size);
        }
        return Optional.of(new BigInteger[] {first, last.min(length.subtract(BigInteger.ONE))});
    }
}
