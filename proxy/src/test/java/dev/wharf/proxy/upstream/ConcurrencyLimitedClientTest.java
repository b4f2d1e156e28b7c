package dev.wharf.proxy.upstream;

import static dev.wharf.proxy.upstream.ScriptedUpstream.BLOB;
import static dev.wharf.proxy.upstream.ScriptedUpstream.REPO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wharf.proxy.upstream.UpstreamException.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ConcurrencyLimitedClientTest {
    private final ScriptedUpstream upstream = new ScriptedUpstream();

    @Test
    void callsBeyondTheLimitFailWhenNoPermitFreesInTime() throws Exception {
        ConcurrencyLimitedClient client = new ConcurrencyLimitedClient(upstream, 2, Duration.ZERO);
        upstream.hold(2);
        List<CompletableFuture<?>> inFlight = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            inFlight.add(CompletableFuture.runAsync(() -> client.fetchTags(REPO)));
        }
        upstream.awaitEntered();
        UpstreamException e = assertThrows(UpstreamException.class, () -> client.headManifest(REPO, "1.0"));
        assertEquals(Kind.UNAVAILABLE, e.kind());
        assertEquals("upstream registry.test: too many concurrent requests", e.getMessage());
        upstream.release();
        CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get();
        assertEquals(2, upstream.calls());
        assertEquals(2, client.available());
    }

    @Test
    void aWaitingCallerProceedsWhenAPermitIsReturned() throws Exception {
        ConcurrencyLimitedClient client = new ConcurrencyLimitedClient(upstream, 1, Duration.ofMinutes(1));
        BlobResponse blob = client.fetchBlob(REPO, BLOB);
        CompletableFuture<List<String>> waiting = CompletableFuture.supplyAsync(() -> client.fetchTags(REPO));
        assertEquals(1, upstream.calls());
        blob.close();
        assertEquals(List.of("1.0"), waiting.get());
        assertEquals(2, upstream.calls());
    }

    @Test
    void aBlobHoldsItsPermitUntilClosedAndClosingTwiceReleasesOnce() {
        ConcurrencyLimitedClient client = new ConcurrencyLimitedClient(upstream, 2, Duration.ZERO);
        BlobResponse blob = client.fetchBlob(REPO, BLOB);
        assertEquals(1, client.available());
        blob.close();
        blob.close();
        assertEquals(2, client.available());
        assertEquals(1, upstream.closedBlobs());
    }

    @Test
    void failedCallsGiveTheirPermitBack() {
        ConcurrencyLimitedClient client = new ConcurrencyLimitedClient(upstream, 1, Duration.ZERO);
        upstream.fail(Kind.UNAVAILABLE, 2);
        assertThrows(UpstreamException.class, () -> client.fetchBlob(REPO, BLOB));
        assertThrows(UpstreamException.class, () -> client.headManifest(REPO, "1.0"));
        assertEquals(1, client.available());
        client.fetchManifest(REPO, "1.0");
        assertEquals(3, upstream.calls());
    }
}
