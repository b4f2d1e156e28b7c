package dev.wharf.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How Wharf treats one upstream: never dial it ({@code offline}), at most {@code maxConcurrent} calls in flight
 * (1-1024), {@code retries} extra attempts for failed idempotent calls (0-10), how long a 404 is remembered
 * ({@code negativeCacheTtl}, zero for never), and its circuit breaker. The constructor throws on values out of range.
 */
public record UpstreamPolicy(
        boolean offline, int maxConcurrent, int retries, Duration negativeCacheTtl, BreakerConfig breaker) {
    /** Online, 32 concurrent calls, 2 retries, 404s remembered for 10 s, the default breaker. */
    public static final UpstreamPolicy DEFAULT =
            new UpstreamPolicy(false, 32, 2, Duration.ofSeconds(10), BreakerConfig.DEFAULT);

    public UpstreamPolicy {
        Objects.requireNonNull(negativeCacheTtl, "negativeCacheTtl");
        Objects.requireNonNull(breaker, "breaker");
        if (maxConcurrent < 1 || maxConcurrent > 1024) {
            throw new IllegalArgumentException("maxConcurrent must be 1-1024");
        }
        if (retries < 0 || retries > 10) {
            throw new IllegalArgumentException("retries must be 0-10");
        }
        if (negativeCacheTtl.isNegative()) {
            throw new IllegalArgumentException("negativeCacheTtl must not be negative");
        }
    }
}
