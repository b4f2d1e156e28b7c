package dev.wharf.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How big the cache may grow: at most {@code maxSize} bytes of stored content (0: unbounded), and at least {@code
 * minFree} bytes left free on the cache's filesystem (0: no floor), checked every {@code checkEvery}.
 */
public record EvictionConfig(long maxSize, long minFree, Duration checkEvery) {
    /** No bound: nothing is evicted for size (orphans are still swept). */
    public static final EvictionConfig NONE = new EvictionConfig(0, 0, Defaults.EVICTION_CHECK_EVERY);

    public EvictionConfig {
        if (maxSize < 0 || minFree < 0) {
            throw new IllegalArgumentException("maxSize and minFree must not be negative");
        }
        Objects.requireNonNull(checkEvery, "checkEvery");
        if (checkEvery.isNegative() || checkEvery.isZero()) {
            throw new IllegalArgumentException("checkEvery must be positive");
        }
    }

    /** Whether the stored bytes are bounded. */
    public boolean bounded() {
        return maxSize > 0;
    }
}
