package dev.wharf.proxy.upstream;

import static dev.wharf.proxy.upstream.ScriptedUpstream.REPO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wharf.proxy.lab.TestClock;
import dev.wharf.proxy.upstream.CircuitBreakerClient.State;
import dev.wharf.proxy.upstream.UpstreamException.Kind;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CircuitBreakerClientTest {
    private final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final ScriptedUpstream upstream = new ScriptedUpstream();
    private final CircuitBreakerClient breaker = new CircuitBreakerClient(upstream, 5, Duration.ofSeconds(30), clock);

    @Test
    void opensAfterFiveUnavailableThenFailsAtOnceWithoutCallingUpstream() {
        upstream.fail(Kind.UNAVAILABLE, 5);
        for (int i = 0; i < 4; i++) {
            assertThrows(UpstreamException.class, () -> breaker.headManifest(REPO, "1.0"));
            assertEquals(State.CLOSED, breaker.state());
        }
        assertThrows(UpstreamException.class, () -> breaker.headManifest(REPO, "1.0"));
        assertEquals(State.OPEN, breaker.state());

        clock.advance(Duration.ofSeconds(29));
        UpstreamException e = assertThrows(UpstreamException.class, () -> breaker.fetchManifest(REPO, "1.0"));
        assertEquals(Kind.UNAVAILABLE, e.kind());
        assertEquals("upstream registry.test is down (circuit open)", e.getMessage());
        assertEquals(5, upstream.calls());
    }

    @Test
    void halfOpenTrialSuccessCloses() {
        upstream.fail(Kind.UNAVAILABLE, 5);
        for (int i = 0; i < 5; i++) {
            assertThrows(UpstreamException.class, () -> breaker.fetchTags(REPO));
        }
        clock.advance(Duration.ofSeconds(30));
        assertEquals(ScriptedUpstream.HEAD, breaker.headManifest(REPO, "1.0"));
        assertEquals(State.CLOSED, breaker.state());
        assertEquals(6, upstream.calls());
    }

    @Test
    void halfOpenTrialFailureReopensForAnotherFullPeriod() {
        upstream.fail(Kind.UNAVAILABLE, 6);
        for (int i = 0; i < 5; i++) {
            assertThrows(UpstreamException.class, () -> breaker.fetchTags(REPO));
        }
        clock.advance(Duration.ofSeconds(30));
        assertThrows(UpstreamException.class, () -> breaker.fetchTags(REPO));
        assertEquals(State.OPEN, breaker.state());
        assertEquals(6, upstream.calls());

        clock.advance(Duration.ofSeconds(29));
        assertThrows(UpstreamException.class, () -> breaker.fetchTags(REPO));
        assertEquals(6, upstream.calls());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(1, breaker.fetchTags(REPO).size());
        assertEquals(State.CLOSED, breaker.state());
    }

    @Test
    void halfOpenLetsOnlyOneTrialThrough() throws Exception {
        upstream.fail(Kind.UNAVAILABLE, 5);
        for (int i = 0; i < 5; i++) {
            assertThrows(UpstreamException.class, () -> breaker.fetchTags(REPO));
        }
        clock.advance(Duration.ofSeconds(30));
        upstream.hold(1);
        Thread trial = new Thread(() -> breaker.fetchTags(REPO));
        trial.start();
        upstream.awaitEntered();
        assertEquals(State.HALF_OPEN, breaker.state());
        UpstreamException e = assertThrows(UpstreamException.class, () -> breaker.fetchTags(REPO));
        assertEquals("upstream registry.test is down (circuit open)", e.getMessage());
        upstream.release();
        trial.join();
        assertEquals(State.CLOSED, breaker.state());
        assertEquals(6, upstream.calls());
    }

    @Test
    void answersFromTheUpstreamDoNotCountAndResetTheRun() {
        upstream.fail(Kind.UNAVAILABLE, 4)
                .fail(Kind.NOT_FOUND, 1)
                .fail(Kind.UNAVAILABLE, 4)
                .fail(Kind.DENIED, 3)
                .fail(Kind.RATE_LIMITED, 3);
        for (int i = 0; i < 15; i++) {
            assertThrows(UpstreamException.class, () -> breaker.headManifest(REPO, "1.0"));
        }
        assertEquals(State.CLOSED, breaker.state());
        assertEquals(15, upstream.calls());
    }

    @Test
    void aBlobCallThatGotAResponseIsSuccess() {
        upstream.fail(Kind.UNAVAILABLE, 4);
        for (int i = 0; i < 4; i++) {
            assertThrows(UpstreamException.class, () -> breaker.fetchBlob(REPO, ScriptedUpstream.BLOB));
        }
        breaker.fetchBlob(REPO, ScriptedUpstream.BLOB).close();
        upstream.fail(Kind.UNAVAILABLE, 4);
        for (int i = 0; i < 4; i++) {
            assertThrows(UpstreamException.class, () -> breaker.fetchBlob(REPO, ScriptedUpstream.BLOB));
        }
        assertEquals(State.CLOSED, breaker.state());
    }
}
