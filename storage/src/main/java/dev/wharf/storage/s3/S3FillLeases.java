package dev.wharf.storage.s3;

import dev.wharf.storage.Digest;
import dev.wharf.storage.FillLease;
import dev.wharf.storage.FillLeases;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Fill leases as objects in the bucket the replicas share, one per digest being filled:
 *
 * <pre>
 * prefix/
 * └── leases/
 *     └── sha256/
 *         └── abcdef0123…     v1, holder (replica id / random grant id), expires-at: one line each
 * </pre>
 *
 * <p>Acquiring writes the lease object only if none exists ({@code If-None-Match: *}: S3 answers 412 to all writers
 * but one). A lease whose expiry has passed (by its body, or {@code ttl} after it was last written when the body is
 * unreadable, as a crashed writer may leave it) is taken over by overwriting it on the condition that it is still the
 * object read ({@code If-Match} on its entity tag; every lease body differs, so every entity tag does). Renewing and
 * releasing act only on the holder's own, unchanged object (see {@link S3FillLease}).
 *
 * <p>Worst case. Where the server checks {@code If-Match} atomically (AWS S3), one racer takes an expired lease over;
 * two replicas can hold a lease at once only through clock skew: expiry is written by the holder's clock and judged by
 * the reader's, so clocks must agree to well within the ttl. A server that checks the condition and then writes
 * without a lock (as s3proxy 4.1 did for conditional deletes in our race tests), or ignores it, lets several racers
 * for one expired lease each believe they took it; the object then names the last of them, and every other learns it
 * lost on its next renew, which returns false. Either way the cost is one more upstream fetch of the same digest:
 * blobs are verified and content-addressed, so a second publish writes the same bytes. A lease never blocks a fill
 * for longer than its ttl after its holder stopped renewing. Thread-safe.
 */
public final class S3FillLeases implements FillLeases {
    private final S3Objects objects;
    private final S3Keys keys;
    private final String replicaId;
    private final Clock clock;

    /**
     * Leases in {@code bucket} through {@code client}, held in the name of {@code replicaId} (1 to 64 letters, digits,
     * {@code .}, {@code _} or {@code -}), with expiry read from {@code clock}.
     */
    public S3FillLeases(S3Client client, S3Bucket bucket, String replicaId, Clock clock) {
        if (!replicaId.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("replica id must be 1 to 64 letters, digits, '.', '_' or '-'");
        }
        this.objects = new S3Objects(client, bucket);
        this.keys = new S3Keys(bucket);
        this.replicaId = replicaId;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Optional<FillLease> tryAcquire(Digest digest, Duration ttl) {
        LeaseObject lease = new LeaseObject(objects, keys.lease(digest), clock);
        return lease.take(replicaId, ttl).map(holder -> new S3FillLease(lease, digest, holder, ttl));
    }
}
