package dev.wharf.proxy.upstream;

import static dev.wharf.proxy.upstream.ScriptedUpstream.REPO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wharf.config.UpstreamPolicy;
import dev.wharf.proxy.lab.TestClock;
import dev.wharf.proxy.upstream.UpstreamException.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UpstreamStackTest {
    private final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final ScriptedUpstream registry = new ScriptedUpstream();
    private final List<Duration> waits = new ArrayList<>();
    private final UpstreamClient client = UpstreamStack.of(
            registry,
            UpstreamPolicy.DEFAULT,
            clock,
            d -> {
                waits.add(d);
                clock.advance(d);
            },
            () -> 0.5);

    @Test
    void aDownUpstreamCostsThreeAttemptsPerCallerUntilTheCircuitOpensThenNothing() {
        registry.fail(Kind.UNAVAILABLE, 100);
        for (int i = 0; i < 5; i++) {
            assertThrows(UpstreamException.class, () -> client.headManifest(REPO, "1.0"));
        }
        assertEquals(15, registry.calls());
        assertEquals(10, waits.size());

        UpstreamException open = assertThrows(UpstreamException.class, () -> client.fetchManifest(REPO, "1.0"));
        assertEquals("upstream registry.test is down (circuit open)", open.getMessage());
        assertEquals(15, registry.calls());
        assertEquals(10, waits.size(), "an open circuit fails without waiting");
    }

    @Test
    void aRememberedNotFoundNeitherRetriesNorTouchesTheBreaker() {
        registry.fail(Kind.NOT_FOUND, 1);
        for (int i = 0; i < 10; i++) {
            assertEquals(
                    Kind.NOT_FOUND,
                    assertThrows(UpstreamException.class, () -> client.headManifest(REPO, "gone"))
                            .kind());
        }
        assertEquals(1, registry.calls());
        assertEquals(List.of(), waits);
    }

    @Test
    void aBriefOutageIsRiddenOutByRetries() {
        registry.fail(Kind.UNAVAILABLE, 2);
        assertEquals(ScriptedUpstream.HEAD, client.headManifest(REPO, "1.0"));
        assertEquals(3, registry.calls());
        assertEquals(List.of(Duration.ofMillis(100), Duration.ofMillis(200)), waits);
    }

    @Test
    void theAssembledBreakerIsTheOneTheClientTrips() {
        UpstreamStack.Assembled stack =
                UpstreamStack.assemble(registry, UpstreamPolicy.DEFAULT, clock, clock::advance, () -> 0.5);
        registry.fail(Kind.UNAVAILABLE, 100);

        for (int i = 0; i < 4; i++) {
            assertThrows(UpstreamException.class, () -> stack.client().headManifest(REPO, "1.0"));
            assertEquals(CircuitBreakerClient.State.CLOSED, stack.breaker().state());
        }
        assertThrows(UpstreamException.class, () -> stack.client().headManifest(REPO, "1.0"));

        assertEquals(CircuitBreakerClient.State.OPEN, stack.breaker().state());
    }
}
