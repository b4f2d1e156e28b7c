package dev.wharf.storage;

import java.time.Duration;
import java.util.Optional;

/**
 * Leases that let replicas sharing one store agree that only one of them fetches a digest from the upstream at a time;
 * the others wait for the blob to appear (or for the lease to expire, if its holder died). Blocks: call from a worker
 * thread.
 */
public interface FillLeases {
    /**
     * A lease on filling {@code digest} for {@code ttl}, or empty while another holder's lease on it has not expired.
     * Throws {@link StorageException} of kind IO when the store cannot tell, and {@link IllegalArgumentException} for a
     * ttl that is not positive.
     */
    Optional<FillLease> tryAcquire(Digest digest, Duration ttl);
}
