package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.proxy.lab.ImageFormat;
import dev.wharf.proxy.lab.ImageSeeder;
import dev.wharf.proxy.lab.RegistryProcess;
import dev.wharf.proxy.lab.RunningWharf;
import dev.wharf.proxy.lab.Samples;
import dev.wharf.proxy.lab.SeededImage;
import dev.wharf.proxy.lab.Skopeo;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code accessLog} set to a file, every request of a real skopeo pull through Wharf, and a hostile request,
 * leaves one JSON line: what was asked, the status, the bytes announced, whether they were all sent.
 */
class AccessLogIT {
    private static final String UPSTREAM = "up.test";
    private static final String HOSTILE_AGENT = "evil\" \\ {\"status\":200}";
    private static final String DROPPED = "wharf_access_log_dropped_total";

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void everyRequestOfAPullLeavesOneLine(@TempDir Path data, @TempDir Path logs, @TempDir Path out) throws Exception {
        Path file = logs.resolve("access.log");
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            SeededImage image =
                    ImageSeeder.of(registry).seedImage("org/app", List.of("1.0"), ImageFormat.OCI, "amd64", 2);
            String yaml = RunningWharf.singleUpstream(UPSTREAM, registry) + "accessLog: " + file + "\n";
            String metrics;
            try (RunningWharf wharf = RunningWharf.start(yaml, data)) {
                new Skopeo().copyToDir(wharf.host() + "/" + UPSTREAM + "/" + image.reference(), out);
                new Skopeo().copyToDir(wharf.host() + "/" + UPSTREAM + "/" + image.reference(), out.resolve("again"));
                HttpResponse<String> hostile = http.send(
                        HttpRequest.newBuilder(wharf.url().resolve("/v2/%22%0A%7B/manifests/x"))
                                .header("User-Agent", HOSTILE_AGENT)
                                .timeout(Duration.ofSeconds(30))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(400, hostile.statusCode(), hostile.body());
                metrics = scrape(wharf);
            }

            List<JsonNode> entries = new ArrayList<>();
            for (String line : Files.readAllLines(file)) {
                entries.add(json.readTree(line));
            }
            String manifestUri = "/v2/" + UPSTREAM + "/" + image.repository() + "/manifests/1.0";
            assertTrue(
                    entries.stream()
                            .anyMatch(e -> e.get("uri").asText().equals(manifestUri)
                                    && e.get("status").asInt() == 200),
                    "the manifest GET: " + entries);
            for (String blob : image.blobDigests()) {
                long size = Files.size(out.resolve(blob.substring("sha256:".length())));
                List<JsonNode> gets = entries.stream()
                        .filter(e -> e.get("uri").asText().endsWith("/blobs/" + blob))
                        .filter(e -> e.get("method").asText().equals("GET"))
                        .toList();
                assertEquals(2, gets.size(), "a GET of " + blob + " by each pull: " + entries);
                assertEquals(
                        "miss", gets.get(0).get("cache").asText(), gets.get(0).toString());
                assertEquals(
                        "hit", gets.get(1).get("cache").asText(), gets.get(1).toString());
                for (JsonNode get : gets) {
                    assertEquals(UPSTREAM, get.get("upstream").asText(), get.toString());
                    assertEquals(image.repository(), get.get("repository").asText(), get.toString());
                    assertEquals(200, get.get("status").asInt(), get.toString());
                    assertEquals(size, get.get("bytes").asLong(), get.toString());
                    assertTrue(get.get("complete").asBoolean(), get.toString());
                    assertEquals("127.0.0.1", get.get("remote").asText());
                    assertFalse(get.get("userAgent").asText().isEmpty(), "skopeo names itself: " + get);
                }
            }
            JsonNode last = entries.get(entries.size() - 1);
            assertEquals("/v2/%22%0A%7B/manifests/x", last.get("uri").asText());
            assertEquals(400, last.get("status").asInt());
            assertEquals(HOSTILE_AGENT, last.get("userAgent").asText());
            assertEquals("", last.get("cache").asText(), "a refused request says nothing of the cache");
            assertEquals(0, Samples.value(metrics, DROPPED), metrics);
        }
    }

    private String scrape(RunningWharf wharf) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(wharf.adminUrl().resolve("/metrics"))
                                .timeout(Duration.ofSeconds(30))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }
}
