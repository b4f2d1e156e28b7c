package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.lab.ImageFormat;
import dev.wharf.proxy.lab.ImageSeeder;
import dev.wharf.proxy.lab.RegistryProcess;
import dev.wharf.proxy.lab.RunningWharf;
import dev.wharf.proxy.lab.Samples;
import dev.wharf.proxy.lab.SeededImage;
import dev.wharf.proxy.upstream.RegistryClient;
import dev.wharf.storage.Digest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Wharf in front of a real registry reports what it served on its admin listener: requests by kind and status
 * class, stale manifests per upstream, the upstream gauges; and the admin endpoints are not on the {@code /v2/} port.
 */
class MetricsIT {
    private static final String UPSTREAM = "up.test";
    private static final String MANIFEST_2XX = "wharf_requests_total{kind=\"manifest\",result=\"2xx\"}";
    private static final String BLOB_2XX = "wharf_requests_total{kind=\"blob\",result=\"2xx\"}";
    private static final String OTHER_4XX = "wharf_requests_total{kind=\"other\",result=\"4xx\"}";
    private static final String STALE = "wharf_stale_served_total{upstream=\"" + UPSTREAM + "\"}";
    private static final String RATELIMIT = "wharf_upstream_ratelimit_remaining{upstream=\"" + UPSTREAM + "\"}";
    private static final String CIRCUIT = "wharf_upstream_circuit_open{upstream=\"" + UPSTREAM + "\"}";

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void servedRequestsAndStaleManifestsShowOnTheAdminListenerOnly(@TempDir Path data) throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            SeededImage image =
                    ImageSeeder.of(registry).seedImage("org/app", List.of("1.0"), ImageFormat.OCI, "amd64", 1);
            try (RunningWharf wharf = RunningWharf.start(yaml(registry), data)) {
                HttpResponse<byte[]> fresh = manifest(wharf, image);
                assertEquals(200, fresh.statusCode());
                assertEquals(Optional.empty(), fresh.headers().firstValue("Warning"));
                String blob = image.blobDigests().get(0);
                HttpResponse<byte[]> layer = get(wharf.url().resolve("/v2/" + UPSTREAM + "/org/app/blobs/" + blob));
                assertEquals(200, layer.statusCode());
                assertEquals(blob, Digest.sha256(layer.body()).toString());

                String before = scrape(wharf);
                assertTrue(Samples.value(before, MANIFEST_2XX) >= 1, before);
                assertTrue(Samples.value(before, BLOB_2XX) >= 1, before);
                assertEquals(0, Samples.value(before, STALE), before);
                assertTrue(Double.isNaN(Samples.value(before, RATELIMIT)), "a registry without a budget: " + before);
                assertEquals(0, Samples.value(before, CIRCUIT), before);

                registry.stop();
                HttpResponse<byte[]> stale = manifest(wharf, image);
                assertEquals(200, stale.statusCode());
                assertEquals(
                        Optional.of("299 - \"stale: upstream " + UPSTREAM + " unavailable\""),
                        stale.headers().firstValue("Warning"));
                assertEquals(image.manifestDigest(), Digest.sha256(stale.body()).toString());

                String after = scrape(wharf);
                assertEquals(1, Samples.value(after, STALE), after);
                assertTrue(Samples.value(after, MANIFEST_2XX) >= 2, after);
            }
        }
    }

    @Test
    void adminEndpointsAreNotServedOnTheRegistryPort(@TempDir Path data) throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous();
                RunningWharf wharf = RunningWharf.start(yaml(registry), data)) {
            registry.clearRequests();
            HttpResponse<byte[]> health = get(wharf.adminUrl().resolve("/healthz"));
            assertEquals(200, health.statusCode());
            assertEquals("ok", new String(health.body(), StandardCharsets.UTF_8));

            assertEquals(404, get(wharf.url().resolve("/metrics")).statusCode());
            assertEquals(404, get(wharf.url().resolve("/healthz")).statusCode());
            assertEquals(404, get(wharf.adminUrl().resolve("/v2/")).statusCode());

            String text = scrape(wharf);
            assertTrue(Samples.value(text, OTHER_4XX) >= 2, text);
            assertEquals(0, registry.requestsSettled().size(), "no admin or refused request went upstream");
        }
    }

    private static String yaml(RegistryProcess registry) {
        return "defaultUpstream: " + UPSTREAM + "\n"
                + "upstreams:\n"
                + "  - name: " + UPSTREAM + "\n"
                + "    url: " + registry.url() + "\n"
                + "freshness:\n"
                + "  - match: \"*\"\n"
                + "    tagTtl: 0s\n"
                + "maxStale: 1h\n";
    }

    private HttpResponse<byte[]> manifest(RunningWharf wharf, SeededImage image) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(wharf.url()
                        .resolve("/v2/" + UPSTREAM + "/" + image.repository() + "/manifests/"
                                + image.tags().get(0)))
                .header("Accept", RegistryClient.manifestAcceptHeader())
                .timeout(Duration.ofSeconds(30))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpResponse<byte[]> get(URI uri) throws Exception {
        return http.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private String scrape(RunningWharf wharf) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(wharf.adminUrl().resolve("/metrics"))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertTrue(
                response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
                response.headers().toString());
        return response.body();
    }
}
