package dev.wharf.proxy.upstream;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pull budget an upstream announced (Docker Hub's {@code ratelimit-limit: 100;w=21600} and
 * {@code ratelimit-remaining: 76;w=21600}): pulls left, pulls allowed per window, the window, and when it was seen.
 */
public record RateLimit(long remaining, long limit, Optional<Duration> window, Instant seenAt) {
    private static final Pattern VALUE = Pattern.compile("\\s*([0-9]{1,12})\\s*(?:;\\s*w\\s*=\\s*([0-9]{1,12})\\s*)?");

    public RateLimit {
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(seenAt, "seenAt");
    }

    /** The budget in {@code headers}; empty unless both headers are present and well formed. */
    static Optional<RateLimit> parse(HttpHeaders headers, Instant now) {
        Optional<Matcher> remaining =
                headers.firstValue("ratelimit-remaining").map(VALUE::matcher).filter(Matcher::matches);
        Optional<Matcher> limit =
                headers.firstValue("ratelimit-limit").map(VALUE::matcher).filter(Matcher::matches);
        if (remaining.isEmpty() || limit.isEmpty()) {
            return Optional.empty();
        }
        String window = limit.get().group(2) != null
                ? limit.get().group(2)
                : remaining.get().group(2);
        return Optional.of(new RateLimit(
                Long.parseLong(remaining.get().group(1)),
                Long.parseLong(limit.get().group(1)),
                Optional.ofNullable(window).map(w -> Duration.ofSeconds(Long.parseLong(w))),
                now));
    }
}
