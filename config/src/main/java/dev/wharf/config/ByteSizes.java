package dev.wharf.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses sizes written as {@code <digits>[unit]}, units B, KiB, MiB, GiB, TiB (powers of 1024) or KB, MB, GB, TB. */
final class ByteSizes {
    static final String EXPECTED = "size like 512MiB, 20GiB, 1TB";
    private static final Pattern SIZE = Pattern.compile("([0-9]{1,15})\\s*([KMGT]i?B|B)?", Pattern.CASE_INSENSITIVE);

    private ByteSizes() {}

    /** The number of bytes {@code text} denotes; throws {@link IllegalArgumentException} when malformed. */
    static long parse(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("malformed size");
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
        long base = unit.contains("I") ? 1024 : 1000;
        int power = "BKMGT".indexOf(unit.charAt(0));
        try {
            long bytes = amount;
            for (int i = 0; i < power; i++) {
                bytes = Math.multiplyExact(bytes, base);
            }
            return bytes;
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("size too large", e);
        }
    }
}
