package dev.wharf.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The circuit breaker of one upstream: it opens after {@code failures} consecutive unavailable answers (1-1000) and
 * stays open for {@code openFor} (positive) before one trial call. The constructor throws on values out of range.
 */
public record BreakerConfig(int failures, Duration openFor) {
    /** Five failures, thirty seconds open. */
    public static final BreakerConfig DEFAULT = new BreakerConfig(5, Duration.ofSeconds(30));

    public BreakerConfig {
        Objects.requireNonNull(openFor, "openFor");
        if (failures < 1 || failures > 1000) {
            throw new IllegalArgumentException("breaker failures must be 1-1000");
        }
        if (openFor.isZero() || openFor.isNegative()) {
            throw new IllegalArgumentException("breaker openFor must be positive");
        }
    }
}
