package dev.wharf.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations written as one or more {@code <digits><unit>} parts, units ms, s, m, h, d: {@code 1h30m}. */
final class Durations {
    static final String EXPECTED = "duration like 30s, 5m, 6h, 7d";
    static final String POSITIVE_EXPECTED = "positive duration like 500ms, 10s, 5m";
    private static final Pattern WHOLE = Pattern.compile("(?:[0-9]{1,18}(?:ms|s|m|h|d))+");
    private static final Pattern PART = Pattern.compile("([0-9]{1,18})(ms|s|m|h|d)");

    private Durations() {}

    /** The duration {@code text} denotes; throws {@link IllegalArgumentException} when malformed or too large. */
    static Duration parse(String text) {
        if (!WHOLE.matcher(text).matches()) {
            throw new IllegalArgumentException("malformed duration");
        }
        Duration total = Duration.ZERO;
        Matcher part = PART.matcher(text);
        try {
            while (part.find()) {
                long amount = Long.parseLong(part.group(1));
                total = total.plus(
                        switch (part.group(2)) {
                            case "ms" -> Duration.ofMillis(amount);
                            case "s" -> Duration.ofSeconds(amount);
                            case "m" -> Duration.ofMinutes(amount);
                            case "h" -> Duration.ofHours(amount);
                            default -> Duration.ofDays(amount);
                        });
            }
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("duration too large", e);
        }
        return total;
    }

    /** Like {@link #parse} but also rejects zero. */
    static Duration parsePositive(String text) {
        Duration duration = parse(text);
        if (duration.isZero()) {
            throw new IllegalArgumentException("duration must be positive");
        }
        return duration;
    }
}
