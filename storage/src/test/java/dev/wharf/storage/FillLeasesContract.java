package dev.wharf.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link FillLeases} must do, shared by one replica or many; each implementation's test runs it. */
public abstract class FillLeasesContract {
    protected static final Duration TTL = Duration.ofSeconds(30);
    protected static final Digest DIGEST = Digest.sha256("layer".getBytes(StandardCharsets.UTF_8));

    /** Time for every replica of the test; it moves only when the test moves it. */
    protected final TestClock clock = new TestClock(Instant.now());

    protected FillLeases leases;

    /** The leases of a replica named {@code replicaId}, sharing state with the other replicas of the same test. */
    protected abstract FillLeases replica(String replicaId) throws Exception;

    @BeforeEach
    void openLeases() throws Exception {
        leases = replica("first");
    }

    @Test
    void aLeaseIsGrantedForItsDigestAndRenewsWhileHeld() {
        FillLease lease = leases.tryAcquire(DIGEST, TTL).orElseThrow();

        assertEquals(DIGEST, lease.digest());
        assertTrue(lease.renew());
        clock.advance(TTL.dividedBy(2));
        assertTrue(lease.renew());
        lease.release();
    }

    @Test
    void aReleasedLeaseNoLongerRenewsAndReleasingTwiceIsHarmless() {
        FillLease lease = leases.tryAcquire(DIGEST, TTL).orElseThrow();

        lease.release();
        lease.close();

        assertFalse(lease.renew());
    }

    @Test
    void aReleasedDigestCanBeLeasedAgain() {
        try (FillLease lease = leases.tryAcquire(DIGEST, TTL).orElseThrow()) {
            assertTrue(lease.renew());
        }

        assertTrue(leases.tryAcquire(DIGEST, TTL).isPresent());
    }

    @Test
    void aTtlMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> leases.tryAcquire(DIGEST, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> leases.tryAcquire(DIGEST, Duration.ofSeconds(-1)));
    }
}
