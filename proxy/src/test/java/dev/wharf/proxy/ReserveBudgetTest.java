package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.upstream.RateLimit;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ReserveBudgetTest {
    private final AtomicReference<Optional<RateLimit>> seen = new AtomicReference<>(Optional.empty());
    private final ReserveBudget budget = new ReserveBudget();

    @Test
    void lowAtOrBelowTheReserveOnly() {
        budget.watch("docker.io", seen::get, 10);

        assertFalse(budget.isLow("docker.io"), "no budget announced yet");
        seen.set(remaining(50));
        assertFalse(budget.isLow("docker.io"));
        seen.set(remaining(10));
        assertTrue(budget.isLow("docker.io"));
        seen.set(remaining(5));
        assertTrue(budget.isLow("docker.io"));
        assertFalse(budget.isLow("ghcr.io"), "an unwatched upstream is never low");
    }

    @Test
    void aZeroReserveNeverSparesTheBudget() {
        budget.watch("docker.io", seen::get, 0);
        seen.set(remaining(0));

        assertFalse(budget.isLow("docker.io"));
    }

    private static Optional<RateLimit> remaining(long remaining) {
        return Optional.of(new RateLimit(remaining, 100, Optional.empty(), Instant.EPOCH));
    }
}
