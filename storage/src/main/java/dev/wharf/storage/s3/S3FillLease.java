package dev.wharf.storage.s3;

import dev.wharf.storage.Digest;
import dev.wharf.storage.FillLease;
import java.time.Duration;

/**
 * A lease that {@link S3FillLeases} granted: its object names {@code holder}, unique to this grant. Renewing and
 * releasing first read the object and act only while it still names this holder, then write or delete it on the
 * condition that it is unchanged ({@code If-Match} on the entity tag read). Thread-safe.
 */
final class S3FillLease implements FillLease {
    private final LeaseObject.Held lease;
    private final Digest digest;

    S3FillLease(LeaseObject lease, Digest digest, String holder, Duration ttl) {
        this.lease = lease.held(holder, ttl);
        this.digest = digest;
    }

    @Override
    public Digest digest() {
        return digest;
    }

    @Override
    public boolean renew() {
        return lease.renew();
    }

    @Override
    public void release() {
        lease.release();
    }
}
