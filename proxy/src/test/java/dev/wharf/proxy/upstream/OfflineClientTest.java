package dev.wharf.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class OfflineClientTest {
    private final OfflineClient client = new OfflineClient("registry.test");

    @Test
    void everyCallFailsUnavailableNamingTheUpstream() {
        for (Runnable call : new Runnable[] {
            () -> client.headManifest(ScriptedUpstream.REPO, "1.0"),
            () -> client.fetchManifest(ScriptedUpstream.REPO, "1.0"),
            () -> client.fetchBlob(ScriptedUpstream.REPO, ScriptedUpstream.BLOB),
            () -> client.fetchTags(ScriptedUpstream.REPO)
        }) {
            UpstreamException e = assertThrows(UpstreamException.class, call::run);
            assertEquals(UpstreamException.Kind.UNAVAILABLE, e.kind());
            assertEquals("upstream registry.test is offline", e.getMessage());
        }
    }
}
