package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.lab.CommandResult;
import dev.wharf.proxy.lab.ImageFormat;
import dev.wharf.proxy.lab.ImageSeeder;
import dev.wharf.proxy.lab.RegistryProcess;
import dev.wharf.proxy.lab.RunningWharf;
import dev.wharf.proxy.lab.SeededImage;
import dev.wharf.proxy.lab.SeededSet;
import dev.wharf.proxy.lab.Skopeo;
import dev.wharf.proxy.upstream.RegistryClient;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Wharf started on a filled cache while its upstream is down: it starts, serves every cached image to skopeo by
 * digest and (still fresh under the default freshness) by tag, and fails an uncached tag quickly; also when its index
 * was lost, since tags, media types and repository links are kept in the store and the index is rebuilt from it.
 */
class StartupWithoutUpstreamIT {
    private static final String UPSTREAM = "up.test";

    private final Skopeo skopeo = new Skopeo();
    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @ParameterizedTest(name = "index lost: {0}")
    @ValueSource(booleans = {false, true})
    void startsAndServesItsCacheWhileTheUpstreamIsDown(boolean indexLost, @TempDir Path data, @TempDir Path out)
            throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            ImageSeeder seeder = ImageSeeder.of(registry);
            SeededSet seeded = seeder.seedStandard();
            SeededImage cold = seeder.seedImage("org/cold", List.of("1"), ImageFormat.OCI, "amd64", 1);
            List<String> references = references(seeded);
            String yaml = RunningWharf.singleUpstream(UPSTREAM, registry);
            try (RunningWharf online = RunningWharf.start(yaml, data)) {
                pullAll(online, references, out.resolve("online"));
            }
            registry.stop();
            if (indexLost) {
                deleteTree(data.resolve("index"));
            }

            long start = System.nanoTime();
            try (RunningWharf restarted = RunningWharf.start(yaml, data)) {
                long startMillis = millisSince(start);

                start = System.nanoTime();
                pullAll(restarted, references, out.resolve("restarted"));
                long pullMillis = millisSince(start);

                start = System.nanoTime();
                HttpResponse<byte[]> uncached = http.send(
                        HttpRequest.newBuilder(restarted
                                        .url()
                                        .resolve("/v2/" + UPSTREAM + "/" + cold.repository() + "/manifests/1"))
                                .header("Accept", RegistryClient.manifestAcceptHeader())
                                .timeout(Duration.ofSeconds(30))
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                long coldMillis = millisSince(start);

                String error = new String(uncached.body(), StandardCharsets.UTF_8);
                assertTrue(Set.of(502, 504).contains(uncached.statusCode()), uncached.statusCode() + " " + error);
                assertTrue(error.contains("upstream " + UPSTREAM), error);
                assertTrue(coldMillis < 5_000, "an uncached tag fails quickly: " + coldMillis + " ms");
                System.out.printf(
                        "StartupWithoutUpstreamIT: upstream stopped, index lost: %s; Wharf started in %d ms; %d cached"
                                + " references (tags and digests) pulled by skopeo in %d ms; uncached tag %d in %d ms%n",
                        indexLost, startMillis, references.size(), pullMillis, uncached.statusCode(), coldMillis);
            }
        }
    }

    /** Every image by tag, and every manifest (images and platform manifests) by digest. */
    private static List<String> references(SeededSet seeded) {
        List<String> references = new ArrayList<>();
        for (SeededImage image : seeded.all()) {
            references.add(image.reference());
            references.add(image.repository() + "@" + image.manifestDigest());
        }
        for (SeededImage platform : seeded.multiPlatforms()) {
            references.add(platform.reference());
        }
        for (SeededImage platform : seeded.ociIndexPlatforms()) {
            references.add(platform.reference());
        }
        return references;
    }

    private void pullAll(RunningWharf wharf, List<String> references, Path out) throws Exception {
        Files.createDirectories(out);
        int n = 0;
        for (String reference : references) {
            Path dir = out.resolve(String.valueOf(n++));
            CommandResult result = skopeo.copyToDir(wharf.host() + "/" + UPSTREAM + "/" + reference, dir);
            assertEquals(0, result.exitCode(), reference + ": " + result);
            assertTrue(Files.size(dir.resolve("manifest.json")) > 0, reference);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        assertTrue(Files.isDirectory(root), "the index lives in " + root);
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static long millisSince(long start) {
        return Duration.ofNanos(System.nanoTime() - start).toMillis();
    }
}
