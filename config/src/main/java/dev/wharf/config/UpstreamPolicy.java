package dev.wharf.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How Wharf treats one upstream: never dial it ({@code offline}), at most {@code maxConcurrent} calls in flight
 * (1-1024), {@code retries} extra attempts for failed idempotent calls (0-10), how long a 404 is remembered
 * ({@code negativeCacheTtl}, zero for never), its circuit breaker, what to answer for a cached tag the upstream says
 * is gone ({@code onTagGone}), and the announced pull budget at or below which stale cached tags are served without
 * asking ({@code rateLimitReserve}, 0-1000000, zero for never). The constructor throws on values out of range.
 */
public record UpstreamPolicy(
        boolean offline,
        int maxConcurrent,
        int retries,
        Duration negativeCacheTtl,
        BreakerConfig breaker,
        TagGone onTagGone,
        int rateLimitReserve) {
    /** Online, 32 concurrent calls, 2 retries, 404s remembered for 10 s, the default breaker, gone tags served, reserve 10. */
    public static final UpstreamPolicy DEFAULT =
            new UpstreamPolicy(false, 32, 2, Duration.ofSeconds(10), BreakerConfig.DEFAULT, TagGone.SERVE, 10);

    public UpstreamPolicy {
        Objects.requireNonNull(negativeCacheTtl, "negativeCacheTtl");
        Objects.requireNonNull(breaker, "breaker");
        Objects.requireNonNull(onTagGone, "onTagGone");
        if (rateLimitReserve < 0 || rateLimitReserve > 1_000_000) {
            throw new IllegalArgumentException("rateLimitReserve must be 0-1000000");
        }
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
