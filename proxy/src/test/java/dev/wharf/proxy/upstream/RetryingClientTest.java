package dev.wharf.proxy.upstream;

import static dev.wharf.proxy.upstream.ScriptedUpstream.BLOB;
import static dev.wharf.proxy.upstream.ScriptedUpstream.REPO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wharf.proxy.upstream.UpstreamException.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetryingClientTest {
    private final ScriptedUpstream upstream = new ScriptedUpstream();
    private final List<Duration> waits = new ArrayList<>();

    private RetryingClient client(int attempts, double jitter) {
        return new RetryingClient(upstream, RetryingClient.Policy.defaults(attempts), waits::add, () -> jitter);
    }

    @Test
    void retriesUnavailableWithExponentialBackoffScaledByJitter() {
        upstream.fail(Kind.UNAVAILABLE, 2);
        assertEquals(ScriptedUpstream.HEAD, client(3, 0.5).headManifest(REPO, "1.0"));
        assertEquals(3, upstream.calls());
        assertEquals(List.of(Duration.ofMillis(100), Duration.ofMillis(200)), waits);
    }

    @Test
    void givesUpAfterTheLastAttemptWithTheUpstreamFailure() {
        upstream.fail(Kind.UNAVAILABLE, 3);
        UpstreamException e =
                assertThrows(UpstreamException.class, () -> client(3, 0.999).fetchTags(REPO));
        assertEquals(Kind.UNAVAILABLE, e.kind());
        assertEquals(3, upstream.calls());
        assertEquals(List.of(Duration.ofMillis(199), Duration.ofMillis(399)), waits);
    }

    @Test
    void backoffIsCappedAtFiveSeconds() {
        upstream.fail(Kind.UNAVAILABLE, 8);
        assertThrows(UpstreamException.class, () -> client(8, 0.999).fetchManifest(REPO, "1.0"));
        assertEquals(Duration.ofMillis(4995), waits.get(waits.size() - 1));
        assertEquals(Duration.ofMillis(3196), waits.get(4));
    }

    @Test
    void honoursRetryAfterUpToTheCap() {
        upstream.rateLimit(Duration.ofSeconds(7));
        assertEquals(3, client(3, 0.5).fetchManifest(REPO, "1.0").body().length);
        assertEquals(List.of(Duration.ofSeconds(7)), waits);
        assertEquals(2, upstream.calls());
    }

    @Test
    void retryAfterAboveTheCapIsPassedOnAtOnce() {
        upstream.rateLimit(Duration.ofSeconds(60));
        UpstreamException e =
                assertThrows(UpstreamException.class, () -> client(3, 0.5).headManifest(REPO, "1.0"));
        assertEquals(Kind.RATE_LIMITED, e.kind());
        assertEquals(Duration.ofSeconds(60), e.retryAfter().orElseThrow());
        assertEquals(1, upstream.calls());
        assertEquals(List.of(), waits);
    }

    @Test
    void rateLimitedWithoutRetryAfterBacksOff() {
        upstream.fail(Kind.RATE_LIMITED, 1);
        client(3, 0.5).fetchTags(REPO);
        assertEquals(2, upstream.calls());
        assertEquals(List.of(Duration.ofMillis(100)), waits);
    }

    @Test
    void otherKindsAreNeverRetried() {
        for (Kind kind : List.of(Kind.NOT_FOUND, Kind.UNAUTHORIZED, Kind.DENIED, Kind.TOO_LARGE, Kind.PROTOCOL)) {
            ScriptedUpstream fresh = new ScriptedUpstream().fail(kind, 1);
            RetryingClient client = new RetryingClient(fresh, RetryingClient.Policy.defaults(3), waits::add, () -> 0.5);
            UpstreamException e = assertThrows(UpstreamException.class, () -> client.headManifest(REPO, "1.0"));
            assertEquals(kind, e.kind());
            assertEquals(1, fresh.calls());
        }
        assertEquals(List.of(), waits);
    }

    @Test
    void aBlobIsRetriedWhenTheCallThrewAndHandedOverOnceItBegan() {
        upstream.fail(Kind.UNAVAILABLE, 1);
        try (BlobResponse blob = client(3, 0.0).fetchBlob(REPO, BLOB)) {
            assertEquals(3, blob.contentLength());
        }
        assertEquals(2, upstream.calls());
        assertEquals(1, upstream.closedBlobs());
    }

    @Test
    void aTimedOutAttemptIsNotRepeated() {
        upstream.timeOut();
        UpstreamException e =
                assertThrows(UpstreamException.class, () -> client(3, 0.5).headManifest(REPO, "1.0"));
        assertEquals(Kind.UNAVAILABLE, e.kind());
        assertEquals(1, upstream.calls());
        assertEquals(List.of(), waits);
    }

    @Test
    void oneAttemptMeansNoRetry() {
        upstream.fail(Kind.UNAVAILABLE, 1);
        assertThrows(UpstreamException.class, () -> client(1, 0.5).fetchTags(REPO));
        assertEquals(1, upstream.calls());
    }

    @Test
    void anInterruptedWaitStopsRetryingAndKeepsTheFlag() {
        upstream.fail(Kind.UNAVAILABLE, 1);
        RetryingClient client = new RetryingClient(
                upstream,
                RetryingClient.Policy.defaults(3),
                d -> {
                    throw new InterruptedException();
                },
                () -> 0.5);
        UpstreamException e = assertThrows(UpstreamException.class, () -> client.fetchTags(REPO));
        assertEquals(Kind.UNAVAILABLE, e.kind());
        assertEquals(1, upstream.calls());
        assertSame(Boolean.TRUE, Thread.interrupted());
    }
}
