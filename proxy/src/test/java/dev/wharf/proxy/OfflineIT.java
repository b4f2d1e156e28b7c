package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.lab.ImageFormat;
import dev.wharf.proxy.lab.ImageSeeder;
import dev.wharf.proxy.lab.RegistryProcess;
import dev.wharf.proxy.lab.RunningWharf;
import dev.wharf.proxy.lab.SeededImage;
import dev.wharf.proxy.lab.SeededSet;
import dev.wharf.proxy.lab.Skopeo;
import dev.wharf.proxy.upstream.RegistryClient;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Wharf restarted offline on the data it cached while online serves every cached image to skopeo without sending the
 * upstream a single request, and fails an uncached tag at once.
 */
class OfflineIT {
    private static final String UPSTREAM = "up.test";

    private final Skopeo skopeo = new Skopeo();
    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void offlineWharfServesItsCacheAndNeverDialsTheUpstream(@TempDir Path data, @TempDir Path out) throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            ImageSeeder seeder = ImageSeeder.of(registry);
            SeededSet seeded = seeder.seedStandard();
            SeededImage cold = seeder.seedImage("org/cold", List.of("1"), ImageFormat.OCI, "amd64", 1);
            try (RunningWharf online = RunningWharf.start(yaml(registry, false), data)) {
                pullAll(online, seeded, out.resolve("online"));
            }
            assertTrue(registry.count("GET", p -> p.contains("/blobs/")) > 0, "the online pull went upstream");
            registry.clearRequests();

            try (RunningWharf offline = RunningWharf.start(yaml(registry, true), data)) {
                long start = System.nanoTime();
                pullAll(offline, seeded, out.resolve("offline"));
                long pullMillis = millisSince(start);

                start = System.nanoTime();
                HttpResponse<byte[]> uncached = http.send(
                        HttpRequest.newBuilder(offline.url()
                                        .resolve("/v2/" + UPSTREAM + "/" + cold.repository() + "/manifests/1"))
                                .header("Accept", RegistryClient.manifestAcceptHeader())
                                .timeout(Duration.ofSeconds(30))
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                long coldMillis = millisSince(start);

                String error = new String(uncached.body(), StandardCharsets.UTF_8);
                assertEquals(502, uncached.statusCode(), error);
                assertTrue(error.contains("upstream " + UPSTREAM), error);
                assertTrue(coldMillis < 2_000, "an uncached tag fails at once: " + coldMillis + " ms");
                assertEquals(List.of(), registry.requestsSettled(), "offline Wharf sent the upstream nothing");
                System.out.printf(
                        "OfflineIT: %d cached images pulled offline in %d ms with 0 upstream requests;"
                                + " uncached tag %d in %d ms%n",
                        seeded.all().size(), pullMillis, uncached.statusCode(), coldMillis);
            }
        }
    }

    /** Every tag re-checks (tagTtl 0s), so offline serving goes through the upstream client each time. */
    private static String yaml(RegistryProcess registry, boolean offline) {
        return RunningWharf.singleUpstream(UPSTREAM, registry)
                + "freshness:\n  - match: \"*\"\n    tagTtl: 0s\n"
                + "maxStale: 1h\n"
                + "offline: " + offline + "\n";
    }

    private void pullAll(RunningWharf wharf, SeededSet seeded, Path out) throws Exception {
        Files.createDirectories(out);
        int n = 0;
        for (SeededImage image : seeded.all()) {
            Path dir = out.resolve(String.valueOf(n++));
            skopeo.copyToDir(wharf.host() + "/" + UPSTREAM + "/" + image.reference(), dir);
            assertTrue(Files.size(dir.resolve("manifest.json")) > 0, image.reference());
        }
    }

    private static long millisSince(long start) {
        return Duration.ofNanos(System.nanoTime() - start).toMillis();
    }
}
