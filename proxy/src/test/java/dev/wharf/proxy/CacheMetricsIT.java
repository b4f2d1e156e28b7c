package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.proxy.lab.Chromium;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scripted sequence of misses, hits, a coalesced join and a stale answer against the real registry; the metrics
 * then count each exactly, the bytes served from the cache (the bytes saved) equal what the test received from it,
 * {@code /stats} shows the same counts and bytes in each time window, and the status page, rendered by headless
 * Chromium, shows the same figures, since start and per window.
 */
class CacheMetricsIT {
    private static final String UPSTREAM = "up.test";
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void metricsAndTheStatusPageCountEveryOutcomeAndTheBytesSaved(@TempDir Path data, @TempDir Path profile)
            throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            ImageSeeder seeder = ImageSeeder.of(registry);
            SeededImage app = seeder.seedImage("org/app", List.of("1"), ImageFormat.DOCKER, "amd64", 1);
            SeededImage big = seeder.seedLarge("org/big", "1", 2L << 20);
            SeededImage old = seeder.seedImage("org/stale", List.of("1"), ImageFormat.OCI, "amd64", 1);
            String yaml = RunningWharf.singleUpstream(UPSTREAM, registry)
                    + "freshness:\n  - {match: \"" + UPSTREAM + "/org/stale:*\", tagTtl: 0s}\n"
                    + "  - {match: \"*\", tagTtl: 1h}\nmaxStale: 1h\n";
            try (RunningWharf wharf = RunningWharf.start(yaml, data)) {
                long fromUpstream = 0;
                long fromCache = 0;
                fromUpstream += get(manifest(wharf, app), app.manifestDigest());
                fromCache += get(manifest(wharf, app), app.manifestDigest());
                String layer = app.blobDigests().get(1);
                fromUpstream += get(blob(wharf, app, layer), layer);
                fromCache += get(blob(wharf, app, layer), layer);

                // Two clients ask for a blob while the registry is frozen: one fetch, the second client joins it.
                String bigLayer = big.blobDigests().get(1);
                registry.freeze();
                CompletableFuture<HttpResponse<byte[]>> first = send(blob(wharf, big, bigLayer));
                waitFor(() -> gauge(wharf, "wharf_fill_waiters") == 1, "the first client waits on the fill");
                CompletableFuture<HttpResponse<byte[]>> second = send(blob(wharf, big, bigLayer));
                waitFor(() -> gauge(wharf, "wharf_fill_waiters") == 2, "the second client joined it");
                registry.thaw();
                fromUpstream += check(first.get(), bigLayer);
                fromCache += check(second.get(), bigLayer);

                fromUpstream += get(manifest(wharf, old), old.manifestDigest());
                registry.stop();
                HttpResponse<byte[]> stale = http.send(
                        HttpRequest.newBuilder(manifest(wharf, old))
                                .header("Accept", RegistryClient.manifestAcceptHeader())
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertTrue(stale.headers().firstValue("Warning").isPresent(), "served stale");
                fromCache += check(stale, old.manifestDigest());

                String metrics = get(wharf.adminUrl().resolve("/metrics"));
                Map<String, Integer> expected = Map.of(
                        "manifest/hit", 1,
                        "manifest/miss", 2,
                        "manifest/stale", 1,
                        "manifest/coalesced", 0,
                        "blob/hit", 1,
                        "blob/miss", 2,
                        "blob/stale", 0,
                        "blob/coalesced", 1);
                expected.forEach((key, count) -> {
                    String[] parts = key.split("/");
                    assertEquals(
                            count.doubleValue(),
                            Samples.value(
                                    metrics,
                                    "wharf_cache_requests_total{kind=\"" + parts[0] + "\",outcome=\"" + parts[1]
                                            + "\"}"),
                            key + "\n" + metrics);
                });
                double cache = Samples.value(metrics, "wharf_served_bytes_total{source=\"cache\"}");
                double upstream = Samples.value(metrics, "wharf_served_bytes_total{source=\"upstream\"}");
                assertEquals(fromCache, cache, "bytes saved = bytes served from the cache");
                assertEquals(fromUpstream, upstream, "bytes fetched upstream for the clients that missed");
                assertEquals(1, Samples.value(metrics, "wharf_stale_served_total{upstream=\"" + UPSTREAM + "\"}"));
                assertEquals(0, Samples.value(metrics, "wharf_fills_in_flight"));

                // The same sequence over the time windows: all of it within the last 5 minutes, so in every window.
                JsonNode stats =
                        new ObjectMapper().readTree(get(wharf.adminUrl().resolve("/stats")));
                List<String> labels = new ArrayList<>();
                for (JsonNode window : stats.path("windows")) {
                    labels.add(window.path("window").asText());
                    assertEquals(8, window.path("requests").asLong(), stats.toPrettyString());
                    assertEquals(2, window.path("answers").path("hit").asLong(), stats.toPrettyString());
                    assertEquals(1, window.path("answers").path("stale").asLong());
                    assertEquals(1, window.path("answers").path("coalesced").asLong());
                    assertEquals(4, window.path("answers").path("miss").asLong());
                    assertEquals(4, window.path("fromCache").asLong());
                    assertEquals(0.5, window.path("hitRatio").asDouble());
                    assertEquals(fromCache, window.path("bytesFromCache").asLong(), "bytes saved in the window");
                    assertEquals(fromUpstream, window.path("bytesFromUpstream").asLong());
                }
                assertEquals(List.of("5m", "1h", "24h"), labels);

                Chromium chromium = new Chromium(profile);
                URI page = wharf.adminUrl().resolve("/");
                String dom = chromium.dumpDom(page);
                assertEquals("50.0%", figure(dom, "hit-ratio"), "4 of 8 answers from the cache");
                assertTrue(figure(dom, "bytes-saved").endsWith("(" + fromCache + " bytes)"), dom);
                assertTrue(figure(dom, "bytes-fetched").endsWith("(" + fromUpstream + " bytes)"), dom);
                assertEquals("unbounded", figure(dom, "quota"));
                for (String window : List.of("w5m-", "w1h-", "w24h-")) {
                    assertEquals("8", figure(dom, window + "requests"), dom);
                    assertEquals("50.0%", figure(dom, window + "hit-ratio"), dom);
                    assertEquals("4", figure(dom, window + "hits"), dom);
                    assertEquals("4", figure(dom, window + "misses"), dom);
                    assertTrue(figure(dom, window + "bytes-saved").endsWith("(" + fromCache + " bytes)"), dom);
                    assertTrue(figure(dom, window + "bytes-fetched").endsWith("(" + fromUpstream + " bytes)"), dom);
                }
                assertTrue(dom.contains("the windows start empty at every restart"), dom);
                assertTrue(dom.contains("<td>" + UPSTREAM + "</td>"), dom);
                assertTrue(section(dom, "most-pulled").contains(UPSTREAM + "/org/app:1"), dom);
                assertTrue(section(dom, "largest").contains(UPSTREAM + "/org/stale:1"), dom);
                Path screenshot = Path.of("target", "status-page.png");
                Files.deleteIfExists(screenshot);
                chromium.screenshot(page, screenshot);
                assertTrue(Files.size(screenshot) > 10_000, "a rendered page, not a blank one");
            }
        }
    }

    private static String figure(String dom, String id) {
        Matcher m = Pattern.compile("id=\"" + id + "\">([^<]*)<").matcher(dom);
        assertTrue(m.find(), "no figure " + id + " in\n" + dom);
        return m.group(1);
    }

    private static String section(String dom, String id) {
        int start = dom.indexOf("id=\"" + id + "\"");
        assertTrue(start >= 0, "no table " + id);
        return dom.substring(start, dom.indexOf("</table>", start));
    }

    private static URI manifest(RunningWharf wharf, SeededImage image) {
        return wharf.url()
                .resolve("/v2/" + UPSTREAM + "/" + image.repository() + "/manifests/"
                        + image.tags().get(0));
    }

    private static URI blob(RunningWharf wharf, SeededImage image, String digest) {
        return wharf.url().resolve("/v2/" + UPSTREAM + "/" + image.repository() + "/blobs/" + digest);
    }

    private CompletableFuture<HttpResponse<byte[]>> send(URI uri) {
        return http.sendAsync(
                HttpRequest.newBuilder(uri)
                        .header("Accept", RegistryClient.manifestAcceptHeader())
                        .timeout(WAIT)
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private long get(URI uri, String digest) throws Exception {
        return check(send(uri).get(), digest);
    }

    private static long check(HttpResponse<byte[]> response, String digest) {
        assertEquals(200, response.statusCode(), response.uri().toString());
        assertEquals(digest, Digest.sha256(response.body()).toString());
        return response.body().length;
    }

    private String get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private double gauge(RunningWharf wharf, String name) {
        try {
            return Samples.value(get(wharf.adminUrl().resolve("/metrics")), name);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Polls {@code condition} every 50 ms until it holds, failing after a minute. */
    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT + ": " + what);
            }
            Thread.sleep(50);
        }
    }
}
