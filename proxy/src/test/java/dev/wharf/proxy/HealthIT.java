package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.lab.FreePort;
import dev.wharf.proxy.lab.RunningWharf;
import dev.wharf.proxy.lab.Tmpfs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /healthz} says the process is up whatever the upstreams do; {@code /readyz} says whether the cache can serve:
 * it fails, saying why, when the cache directory cannot be written.
 */
class HealthIT {
    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void healthAndReadinessDoNotDependOnAnyUpstream(@TempDir Path data) throws Exception {
        // Nothing listens on these ports: every upstream is down.
        String yaml = "defaultUpstream: a.test\nupstreams:\n"
                + "  - {name: a.test, url: \"http://127.0.0.1:" + FreePort.find() + "\"}\n"
                + "  - {name: b.test, url: \"http://127.0.0.1:" + FreePort.find() + "\"}\n";
        try (RunningWharf wharf = RunningWharf.start(yaml, data)) {
            HttpResponse<String> pull = get(wharf.url().resolve("/v2/a.test/org/app/manifests/1.0"));
            assertEquals(502, pull.statusCode(), "the upstream is down: " + pull.body());

            HttpResponse<String> health = get(wharf.adminUrl().resolve("/healthz"));
            assertEquals(200, health.statusCode());
            assertEquals("ok", health.body());
            HttpResponse<String> ready = get(wharf.adminUrl().resolve("/readyz"));
            assertEquals(200, ready.statusCode(), ready.body());
            assertEquals("ready\n", ready.body());
        }
    }

    @Test
    void readinessFailsWhileTheCacheDirectoryCannotBeWritten(@TempDir Path data) throws Exception {
        String yaml = "defaultUpstream: a.test\nupstreams:\n  - {name: a.test, url: \"http://127.0.0.1:"
                + FreePort.find() + "\"}\n";
        try (RunningWharf wharf = RunningWharf.start(yaml, data)) {
            assertEquals(200, get(wharf.adminUrl().resolve("/readyz")).statusCode());

            // A read-only filesystem where fills write: even root cannot create a file there.
            try (Tmpfs readOnly = Tmpfs.mount(data.resolve("tmp"), "ro,size=1m")) {
                HttpResponse<String> ready = get(wharf.adminUrl().resolve("/readyz"));
                assertEquals(503, ready.statusCode(), ready.body());
                assertTrue(
                        ready.body().contains("the cache directory " + readOnly.directory() + " is not writable"),
                        ready.body());
                assertEquals(200, get(wharf.adminUrl().resolve("/healthz")).statusCode(), "still alive");
            }

            HttpResponse<String> again = get(wharf.adminUrl().resolve("/readyz"));
            assertEquals(200, again.statusCode(), again.body());
        }
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        return http.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
