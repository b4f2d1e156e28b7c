package dev.wharf.proxy.upstream;

import static dev.wharf.proxy.upstream.ScriptedUpstream.BLOB;
import static dev.wharf.proxy.upstream.ScriptedUpstream.REPO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wharf.proxy.lab.TestClock;
import dev.wharf.proxy.upstream.UpstreamException.Kind;
import dev.wharf.storage.RepositoryName;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class NegativeCachingClientTest {
    private final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final ScriptedUpstream upstream = new ScriptedUpstream();
    private final NegativeCachingClient client = new NegativeCachingClient(upstream, Duration.ofSeconds(10), clock);

    @Test
    void aManifest404IsAnsweredAgainWithoutTheUpstreamForTheTtl() {
        upstream.fail(Kind.NOT_FOUND, 1);
        assertThrows(UpstreamException.class, () -> client.headManifest(REPO, "1.0"));
        clock.advance(Duration.ofSeconds(9));
        UpstreamException again = assertThrows(UpstreamException.class, () -> client.fetchManifest(REPO, "1.0"));
        assertEquals(Kind.NOT_FOUND, again.kind());
        assertEquals(404, again.status());
        assertEquals(1, upstream.calls());

        clock.advance(Duration.ofSeconds(1));
        assertEquals(ScriptedUpstream.HEAD, client.headManifest(REPO, "1.0"));
        assertEquals(2, upstream.calls());
    }

    @Test
    void missesAreKeptPerRepositoryAndReference() {
        upstream.fail(Kind.NOT_FOUND, 1);
        assertThrows(UpstreamException.class, () -> client.headManifest(REPO, "1.0"));
        client.headManifest(REPO, "2.0");
        client.headManifest(RepositoryName.parse("library/other"), "1.0");
        client.fetchBlob(REPO, BLOB).close();
        assertEquals(4, upstream.calls());
    }

    @Test
    void aBlob404IsRemembered() {
        upstream.fail(Kind.NOT_FOUND, 1);
        assertThrows(UpstreamException.class, () -> client.fetchBlob(REPO, BLOB));
        assertThrows(UpstreamException.class, () -> client.fetchBlob(REPO, BLOB));
        assertEquals(1, upstream.calls());
    }

    @Test
    void otherFailuresAreNotRemembered() {
        upstream.fail(Kind.UNAVAILABLE, 1).fail(Kind.DENIED, 1);
        assertThrows(UpstreamException.class, () -> client.headManifest(REPO, "1.0"));
        assertThrows(UpstreamException.class, () -> client.headManifest(REPO, "1.0"));
        client.headManifest(REPO, "1.0");
        assertEquals(3, upstream.calls());
    }

    @Test
    void aZeroTtlRemembersNothing() {
        NegativeCachingClient off = new NegativeCachingClient(upstream, Duration.ZERO, clock);
        upstream.fail(Kind.NOT_FOUND, 1);
        assertThrows(UpstreamException.class, () -> off.headManifest(REPO, "1.0"));
        off.headManifest(REPO, "1.0");
        assertEquals(2, upstream.calls());
    }
}
