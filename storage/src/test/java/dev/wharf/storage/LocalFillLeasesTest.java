package dev.wharf.storage;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LocalFillLeasesTest extends FillLeasesContract {
    @Override
    protected FillLeases replica(String replicaId) {
        return new LocalFillLeases();
    }

    @Test
    void aLocalLeaseIsAlwaysGranted() {
        leases.tryAcquire(DIGEST, TTL).orElseThrow();

        assertTrue(leases.tryAcquire(DIGEST, TTL).isPresent(), "the process coalesces its own fills");
    }
}
