package dev.wharf.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What {@link FillLeases} shared by replicas must do besides: one holder at a time, until release or expiry. */
public abstract class SharedFillLeasesContract extends FillLeasesContract {
    @Test
    void aSecondAcquireIsRefusedWhileTheLeaseIsHeld() throws Exception {
        FillLease held = leases.tryAcquire(DIGEST, TTL).orElseThrow();

        assertTrue(replica("second").tryAcquire(DIGEST, TTL).isEmpty());
        assertTrue(leases.tryAcquire(DIGEST, TTL).isEmpty(), "the same replica is refused too");
        assertTrue(
                replica("second").tryAcquire(Digest.sha256(new byte[] {1}), TTL).isPresent(), "per digest");
        held.release();
    }

    @Test
    void aReleasedLeaseIsGrantedToAnotherReplicaAtOnce() throws Exception {
        leases.tryAcquire(DIGEST, TTL).orElseThrow().release();

        assertTrue(replica("second").tryAcquire(DIGEST, TTL).isPresent());
    }

    @Test
    void aRenewedLeaseOutlivesItsFirstTtl() throws Exception {
        FillLease held = leases.tryAcquire(DIGEST, TTL).orElseThrow();
        clock.advance(TTL.minusSeconds(1));
        assertTrue(held.renew());

        clock.advance(Duration.ofSeconds(2));

        assertTrue(replica("second").tryAcquire(DIGEST, TTL).isEmpty());
    }

    @Test
    void anExpiredLeaseIsTakenOverAndItsOldHolderCanNeitherRenewNorRelease() throws Exception {
        FillLease stale = leases.tryAcquire(DIGEST, TTL).orElseThrow();
        clock.advance(TTL.plusSeconds(1));

        FillLease taken = replica("second").tryAcquire(DIGEST, TTL).orElseThrow();

        assertFalse(stale.renew(), "the old holder learns it lost the lease");
        stale.release();
        assertTrue(replica("third").tryAcquire(DIGEST, TTL).isEmpty(), "a non-holder's release does nothing");
        assertTrue(taken.renew());
    }

    @Test
    void anExpiredLeaseIsTakenOverEvenAfterItsOldHolderReleasedNothing() throws Exception {
        leases.tryAcquire(DIGEST, TTL).orElseThrow();
        clock.advance(TTL.minusSeconds(1));
        assertTrue(replica("second").tryAcquire(DIGEST, TTL).isEmpty(), "not expired yet");

        clock.advance(Duration.ofSeconds(2));

        assertTrue(replica("second").tryAcquire(DIGEST, TTL).isPresent());
    }

    @Test
    void racingReplicasGetOneLease() throws Exception {
        assertEquals(1, race(8).size());
    }

    /**
     * Where the store checks its condition atomically one racer wins; where it does not, several may believe they won,
     * and all but one learn on their first renew that they lost (see the implementation's worst case).
     */
    @Test
    void racingReplicasTakeOverAnExpiredLeaseLeavingOneHolder() throws Exception {
        FillLease stale = leases.tryAcquire(DIGEST, TTL).orElseThrow();
        clock.advance(TTL.plusSeconds(1));

        List<FillLease> granted = race(8);

        assertFalse(granted.isEmpty());
        assertEquals(1, granted.stream().filter(FillLease::renew).count(), "one holder renews");
        assertFalse(stale.renew());
        assertTrue(replica("late").tryAcquire(DIGEST, TTL).isEmpty());
    }

    /** The leases that {@code replicas} new replicas, starting together, are granted on {@link #DIGEST}. */
    private List<FillLease> race(int replicas) throws Exception {
        List<FillLeases> all = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            all.add(replica("racer-" + i));
        }
        CyclicBarrier start = new CyclicBarrier(replicas);
        ExecutorService pool = Executors.newFixedThreadPool(replicas);
        try {
            List<Future<Optional<FillLease>>> results = new ArrayList<>();
            for (FillLeases racer : all) {
                results.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    return racer.tryAcquire(DIGEST, TTL);
                }));
            }
            List<FillLease> granted = new ArrayList<>();
            for (Future<Optional<FillLease>> result : results) {
                result.get(30, TimeUnit.SECONDS).ifPresent(granted::add);
            }
            return granted;
        } finally {
            pool.shutdownNow();
        }
    }
}
