package dev.wharf.storage.s3;

import dev.wharf.storage.Digest;
import dev.wharf.storage.FillLease;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * A lease that {@link S3FillLeases} granted: its object names {@code holder}, unique to this grant. Renewing and
 * releasing first read the object and act only while it still names this holder, then write or delete it on the
 * condition that it is unchanged ({@code If-Match} on the entity tag read). Thread-safe.
 */
final class S3FillLease implements FillLease {
    private final S3Objects objects;
    private final String key;
    private final Digest digest;
    private final String holder;
    private final Duration ttl;
    private final Clock clock;
    private boolean lost;
    private boolean released;

    S3FillLease(S3Objects objects, String key, Digest digest, String holder, Duration ttl, Clock clock) {
        this.objects = objects;
        this.key = key;
        this.digest = digest;
        this.holder = holder;
        this.ttl = ttl;
        this.clock = clock;
    }

    @Override
    public Digest digest() {
        return digest;
    }

    @Override
    public synchronized boolean renew() {
        if (lost || released) {
            return false;
        }
        byte[] renewed = new LeaseRecord(holder, clock.instant().plus(ttl)).bytes();
        lost = !ours().map(o -> objects.putIfMatch(key, renewed, o.eTag())).orElse(false);
        return !lost;
    }

    @Override
    public synchronized void release() {
        if (lost || released) {
            return;
        }
        released = true;
        ours().ifPresent(o -> objects.deleteIfMatch(key, o.eTag()));
    }

    private Optional<S3Objects.Small> ours() {
        return objects.read(key).filter(o -> LeaseRecord.isHeldBy(o, holder));
    }
}
