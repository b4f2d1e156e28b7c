package dev.wharf.proxy.upstream;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** The {@code Retry-After} header (RFC 9110 section 10.2.3): delay-seconds or an HTTP-date, capped at one hour. */
final class RetryAfter {
    static final Duration MAX = Duration.ofHours(1);

    private RetryAfter() {}

    /** The wait {@code value} asks for, between zero and {@link #MAX}; empty when absent or unreadable. */
    static Optional<Duration> parse(Optional<String> value, Instant now) {
        if (value.isEmpty()) {
            return Optional.empty();
        }
        String text = value.get().trim();
        Duration wait;
        if (!text.isEmpty() && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            wait = text.length() > 7 ? MAX : Duration.ofSeconds(Long.parseLong(text));
        } else {
            try {
                wait = Duration.between(
                        now,
                        ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME)
                                .toInstant());
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        }
        if (wait.isNegative()) {
            return Optional.of(Duration.ZERO);
        }
        return Optional.of(wait.compareTo(MAX) > 0 ? MAX : wait);
    }
}
