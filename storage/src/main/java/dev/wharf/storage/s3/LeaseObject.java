package dev.wharf.storage.s3;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * One lease object in the bucket, and how it is taken, renewed and released with conditional writes (see {@link
 * S3FillLeases} for the protocol and its worst case): taken only if absent ({@code If-None-Match: *}) or expired (then
 * overwritten {@code If-Match} on the entity tag read), renewed and released only while it still names the holder and
 * is unchanged. Every grant names a holder of its own ({@code replicaId/random}). Thread-safe.
 */
final class LeaseObject {
    private static final int ATTEMPTS = 3;

    private final S3Objects objects;
    private final String key;
    private final Clock clock;

    LeaseObject(S3Objects objects, String key, Clock clock) {
        this.objects = objects;
        this.key = key;
        this.clock = clock;
    }

    String key() {
        return key;
    }

    /** Takes the lease for {@code ttl} in the name of {@code replicaId}; the holder granted, or empty when held. */
    Optional<String> take(String replicaId, Duration ttl) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive");
        }
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            String holder = replicaId + "/" + UUID.randomUUID();
            byte[] lease = new LeaseRecord(holder, clock.instant().plus(ttl)).bytes();
            if (objects.putIfAbsent(key, lease)) {
                return Optional.of(holder);
            }
            Optional<S3Objects.Small> held = objects.read(key);
            if (held.isEmpty()) {
                // Released since: try to write ours again.
                continue;
            }
            if (clock.instant().isBefore(LeaseRecord.expiry(held.get(), ttl))) {
                return Optional.empty();
            }
            if (objects.putIfMatch(key, lease, held.get().eTag())) {
                return Optional.of(holder);
            }
            // Renewed, released or taken over since it was read: its holder, whoever it is now, goes on.
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** Whether someone holds the lease now (an object whose expiry has not passed). */
    boolean isHeld(Duration ttl) {
        return objects.read(key)
                .map(o -> clock.instant().isBefore(LeaseRecord.expiry(o, ttl)))
                .orElse(false);
    }

    /** Extends {@code holder}'s lease by {@code ttl}; false when it is no longer theirs. */
    boolean renew(String holder, Duration ttl) {
        byte[] renewed = new LeaseRecord(holder, clock.instant().plus(ttl)).bytes();
        return ours(holder).map(o -> objects.putIfMatch(key, renewed, o.eTag())).orElse(false);
    }

    /** Removes {@code holder}'s lease; does nothing when it is no longer theirs. */
    void release(String holder) {
        ours(holder).ifPresent(o -> objects.deleteIfMatch(key, o.eTag()));
    }

    private Optional<S3Objects.Small> ours(String holder) {
        return objects.read(key).filter(o -> LeaseRecord.isHeldBy(o, holder));
    }

    /** {@code holder}'s grant of this lease, renewed by {@code ttl} at a time. */
    Held held(String holder, Duration ttl) {
        return new Held(holder, ttl);
    }

    /**
     * One grant of this lease as its holder keeps it: once lost (expired and taken over) or released, it is neither
     * renewed nor released again. Thread-safe.
     */
    final class Held {
        private final String holder;
        private final Duration ttl;
        private boolean lost;
        private boolean released;

        private Held(String holder, Duration ttl) {
            this.holder = holder;
            this.ttl = ttl;
        }

        /** Extends the lease by its ttl; false once it was lost, and from then on. */
        synchronized boolean renew() {
            if (lost || released) {
                return false;
            }
            lost = !LeaseObject.this.renew(holder, ttl);
            return !lost;
        }

        /** Releases the lease; does nothing when it was lost or released already. */
        synchronized void release() {
            if (lost || released) {
                return;
            }
            released = true;
            LeaseObject.this.release(holder);
        }
    }
}
