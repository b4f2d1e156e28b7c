package dev.wharf.storage;

import java.time.Duration;
import java.util.Optional;

/**
 * Leases for a store that one process owns (disk, memory): always granted, since that process already coalesces its
 * own fills of a digest into one. Thread-safe.
 */
public final class LocalFillLeases implements FillLeases {
    /** {@inheritDoc} Always a lease, which renews until released. */
    @Override
    public Optional<FillLease> tryAcquire(Digest digest, Duration ttl) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive");
        }
        return Optional.of(new Local(digest));
    }

    private static final class Local implements FillLease {
        private final Digest digest;
        private volatile boolean released;

        Local(Digest digest) {
            this.digest = digest;
        }

        @Override
        public Digest digest() {
            return digest;
        }

        @Override
        public boolean renew() {
            return !released;
        }

        @Override
        public void release() {
            released = true;
        }
    }
}
