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
        int replicas = 8;
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
            int granted = 0;
            for (Future<Optional<FillLease>> result : results) {
                granted += result.get(30, TimeUnit.SECONDS).isPresent() ? 1 : 0;
            }
            assertEquals(1, granted);
        } finally {
            pool.shutdownNow();
        }
    }
}
