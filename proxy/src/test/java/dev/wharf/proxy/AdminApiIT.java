package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.proxy.lab.ImageSeeder;
import dev.wharf.proxy.lab.RegistryProcess;
import dev.wharf.proxy.lab.RunningWharf;
import dev.wharf.proxy.lab.SeededImage;
import dev.wharf.proxy.lab.WharfPull;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API in front of the real registry: what is cached, the upstreams, and purging a tag or a repository. */
class AdminApiIT {
    private static final String UPSTREAM = "up.test";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void listsTheCacheAndTheUpstreamsAndPurgesATagWhileSharedLayersStay(@TempDir Path data) throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            ImageSeeder seeder = ImageSeeder.of(registry);
            SeededImage one = seeder.seedWithLayers("org/app", List.of("1"), List.of("base", "one"));
            SeededImage two = seeder.seedWithLayers("org/app", List.of("2"), List.of("base", "two"));
            SeededImage other = seeder.seedWithLayers("org/other", List.of("1"), List.of("base", "other"));
            try (RunningWharf wharf = RunningWharf.start(RunningWharf.singleUpstream(UPSTREAM, registry), data)) {
                for (SeededImage image : List.of(one, two, other)) {
                    WharfPull.pull(wharf, UPSTREAM, image);
                }

                JsonNode cache = json(send("GET", wharf.adminUrl().resolve("/cache")), 200);
                assertEquals(3, cache.path("images").asInt(), cache.toPrettyString());
                JsonNode app = cache.path("repositories").get(0);
                assertEquals("org/app", app.path("repository").asText());
                assertEquals(UPSTREAM, app.path("upstream").asText());
                assertEquals(List.of("1", "2"), texts(app.path("tags"), "tag"));
                assertTrue(app.path("bytes").asLong() > 0);

                JsonNode upstreams = json(send("GET", wharf.adminUrl().resolve("/upstreams")), 200);
                JsonNode up = upstreams.path("upstreams").get(0);
                assertEquals(UPSTREAM, up.path("name").asText());
                assertEquals("ok", up.path("health").asText());
                assertEquals("closed", up.path("breaker").asText());
                assertTrue(up.path("rateLimitRemaining").isNull(), "the registry announces no budget");

                JsonNode purged =
                        json(send("DELETE", purge("upstream=" + UPSTREAM + "&repository=org/app&tag=1", wharf)), 200);
                assertEquals(List.of(UPSTREAM + "/org/app:1"), texts(purged.path("tagsDeleted"), null));
                assertEquals(
                        one.manifestDigest(),
                        purged.path("images").get(0).path("digest").asText());
                String base = one.blobDigests().get(1);
                assertTrue(Files.exists(RunningWharf.storedBlob(data, Digest.parse(base))), "shared layer stays");
                assertFalse(Files.exists(RunningWharf.storedBlob(
                        data, Digest.parse(one.blobDigests().get(2)))));
                JsonNode after = json(send("GET", wharf.adminUrl().resolve("/cache")), 200);
                assertEquals(
                        List.of("2"), texts(after.path("repositories").get(0).path("tags"), "tag"));

                registry.clearRequests();
                WharfPull.pull(wharf, UPSTREAM, one);
                assertEquals(1, registry.count("GET", p -> p.endsWith("/manifests/1")), "fetched anew");
                assertEquals(2, registry.count("GET", p -> p.contains("/blobs/")), "its config and its own layer");
                assertEquals(0, registry.count("GET", p -> p.endsWith(base)), "not the shared layer");

                json(send("DELETE", purge("upstream=" + UPSTREAM + "&repository=org/other", wharf)), 200);
                assertEquals(
                        404,
                        send("DELETE", purge("upstream=" + UPSTREAM + "&repository=org/none", wharf))
                                .statusCode());
                assertEquals(
                        400, send("DELETE", purge("repository=org/app", wharf)).statusCode());
                assertEquals(
                        400,
                        send("DELETE", purge("upstream=" + UPSTREAM + "&repository=Bad..Name", wharf))
                                .statusCode());
                assertEquals(
                        405, send("POST", wharf.adminUrl().resolve("/cache")).statusCode());
            }
        }
    }

    private static URI purge(String query, RunningWharf wharf) {
        return wharf.adminUrl().resolve("/cache?" + query);
    }

    private static List<String> texts(JsonNode array, String field) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add((field == null ? node : node.path(field)).asText()));
        return texts;
    }

    private static JsonNode json(HttpResponse<String> response, int status) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals(
                "application/json",
                response.headers().firstValue("Content-Type").orElse(""));
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> send(String method, URI uri) throws Exception {
        return http.send(
                HttpRequest.newBuilder(uri)
                        .method(method, HttpRequest.BodyPublishers.noBody())
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
