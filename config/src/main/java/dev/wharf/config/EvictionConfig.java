package dev.wharf.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How big the cache may grow: at most {@code maxSize} bytes of stored content (0: unbounded; with {@code storage.s3},
 * the bucket's), and at least {@code minFree} bytes left free on the cache's local filesystem (0: no floor), checked
 * every {@code checkEvery}; in a shared bucket, the bytes of an evicted image stay {@code grace} after its tags went.
 */
public record EvictionConfig(long maxSize, long minFree, Duration checkEvery, Duration grace) {
    /** No bound: nothing is evicted for size (orphans are still swept). */
    public static final EvictionConfig NONE = new EvictionConfig(0, 0, Defaults.EVICTION_CHECK_EVERY);

    /** Bounds with the default grace. */
    public EvictionConfig(long maxSize, long minFree, Duration checkEvery) {
        this(maxSize, minFree, checkEvery, Defaults.EVICTION_GRACE);
    }

    public EvictionConfig {
        if (maxSize < 0 || minFree < 0) {
            throw new IllegalArgumentException("maxSize and minFree must not be negative");
        }
        Objects.requireNonNull(checkEvery, "checkEvery");
        if (checkEvery.isNegative() || checkEvery.isZero()) {
            throw new IllegalArgumentException("checkEvery must be positive");
        }
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative() || grace.isZero()) {
            throw new IllegalArgumentException("grace must be positive");
        }
    }

    /** Whether the stored bytes are bounded. */
    public boolean bounded() {
        return maxSize > 0;
    }
}
