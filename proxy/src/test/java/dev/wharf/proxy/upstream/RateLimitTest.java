package dev.wharf.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.proxy.lab.TestClock;
import dev.wharf.proxy.upstream.FakeUpstream.Response;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RateLimitTest {
    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

    private static Optional<RateLimit> parse(Map<String, String> values) {
        Map<String, List<String>> map = new HashMap<>();
        values.forEach((k, v) -> map.put(k, List.of(v)));
        return RateLimit.parse(HttpHeaders.of(map, (k, v) -> true), NOW);
    }

    @Test
    void readsDockerHubsHeaders() {
        assertEquals(
                Optional.of(new RateLimit(76, 100, Optional.of(Duration.ofHours(6)), NOW)),
                parse(Map.of("ratelimit-limit", "100;w=21600", "ratelimit-remaining", "76;w=21600")));
        assertEquals(
                Optional.of(new RateLimit(0, 200, Optional.empty(), NOW)),
                parse(Map.of("RateLimit-Limit", "200", "RateLimit-Remaining", "0")));
    }

    @Test
    void ignoresMissingOrMalformedValues() {
        assertEquals(Optional.empty(), parse(Map.of("ratelimit-remaining", "76;w=21600")));
        assertEquals(Optional.empty(), parse(Map.of("ratelimit-limit", "lots", "ratelimit-remaining", "76")));
        assertEquals(Optional.empty(), parse(Map.of()));
    }

    @Test
    void theClientKeepsTheLastBudgetItSaw() throws Exception {
        try (FakeUpstream upstream = FakeUpstream.start()) {
            TestClock clock = new TestClock(NOW);
            UpstreamSettings settings = UpstreamSettings.anonymous("hub", upstream.uri());
            RegistryClient client =
                    new RegistryClient(settings, RegistryClient.newHttpClient(settings), clock, TestWatchdog.SHARED);
            assertEquals(Optional.empty(), client.rateLimit());

            upstream.answer(r -> Response.of(
                    200,
                    Map.of(
                            "Docker-Content-Digest",
                            ScriptedUpstream.BLOB.toString(),
                            "Content-Type",
                            "application/vnd.oci.image.manifest.v1+json",
                            "ratelimit-limit",
                            "100;w=21600",
                            "ratelimit-remaining",
                            "99;w=21600")));
            client.headManifest(RegistryClientTest.REPO, "latest");
            assertEquals(99, client.rateLimit().orElseThrow().remaining());

            clock.advance(Duration.ofMinutes(1));
            upstream.answer(r ->
                    Response.of(404, Map.of("ratelimit-limit", "100;w=21600", "ratelimit-remaining", "98;w=21600")));
            try {
                client.headManifest(RegistryClientTest.REPO, "gone");
            } catch (UpstreamException expected) {
                assertEquals(UpstreamException.Kind.NOT_FOUND, expected.kind());
            }
            assertEquals(
                    new RateLimit(98, 100, Optional.of(Duration.ofHours(6)), NOW.plus(Duration.ofMinutes(1))),
                    client.rateLimit().orElseThrow());

            upstream.answer(r -> Response.status(404));
            assertEquals(98, client.rateLimit().orElseThrow().remaining());
        }
    }
}
