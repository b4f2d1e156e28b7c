package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.lab.FaultyUpstream;
import dev.wharf.proxy.lab.FaultyUpstream.Fault;
import dev.wharf.proxy.lab.ImageFormat;
import dev.wharf.proxy.lab.ImageSeeder;
import dev.wharf.proxy.lab.RegistryProcess;
import dev.wharf.proxy.lab.RunningWharf;
import dev.wharf.proxy.lab.SeededImage;
import dev.wharf.proxy.lab.SeededSet;
import dev.wharf.proxy.lab.Skopeo;
import dev.wharf.proxy.upstream.RegistryClient;
import dev.wharf.storage.Digest;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A real Wharf whose every tag request re-checks the upstream (tagTtl 0s) keeps serving what it has cached while
 * the upstream fails in each way it can, marks stale tags with a {@code Warning}, and fails uncached tags fast with
 * an error naming the upstream. The upstream is a real registry behind a fault-injecting proxy.
 */
class StaleServingIT {
    private static final String UPSTREAM = "up.test";
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(2);
    private static final String WARNING = "299 - \"stale: upstream " + UPSTREAM + " unavailable\"";

    private final Skopeo skopeo = new Skopeo();
    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** The ways the upstream fails, and the status an uncached tag then gets. */
    enum Outage {
        REFUSED(502),
        STATUS_503(502),
        RATE_LIMITED(429),
        REGISTRY_STOPPED(502),
        // The re-checks that timed out during the pulls opened the circuit breaker: uncached tags fail at once.
        REGISTRY_FROZEN(502);

        final int coldStatus;

        Outage(int coldStatus) {
            this.coldStatus = coldStatus;
        }
    }

    @ParameterizedTest
    @EnumSource(Outage.class)
    void cachedImagesAreServedStaleWhileTheUpstreamFailsAndUncachedTagsFailFast(
            Outage outage, @TempDir Path data, @TempDir Path out) throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous();
                FaultyUpstream faulty = FaultyUpstream.fronting(registry)) {
            ImageSeeder seeder = ImageSeeder.of(registry);
            SeededSet seeded = seeder.seedStandard();
            SeededImage cold = seeder.seedImage("org/cold", List.of("1"), ImageFormat.OCI, "amd64", 1);
            try (RunningWharf wharf = RunningWharf.start(yaml(faulty), data)) {
                pullAll(wharf, seeded, out.resolve("healthy"));
                assertTrue(faulty.count("GET", p -> p.contains("/blobs/")) > 0, "the first pull went upstream");

                faulty.clearRequests();
                begin(outage, faulty, registry);
                try {
                    long pullMillis = timed(() -> pullAll(wharf, seeded, out.resolve("outage")));
                    long[] staleMillis = new long[1];
                    HttpResponse<byte[]> stale = timedGet(wharf, seeded.alpine(), staleMillis);
                    long[] coldMillis = new long[1];
                    HttpResponse<byte[]> uncached = timedGet(wharf, cold, coldMillis);

                    assertEquals(200, stale.statusCode());
                    assertEquals(Optional.of(WARNING), stale.headers().firstValue("Warning"));
                    assertEquals(
                            Optional.of(seeded.alpine().manifestDigest()),
                            stale.headers().firstValue("Docker-Content-Digest"));
                    assertEquals(
                            seeded.alpine().manifestDigest(),
                            Digest.sha256(stale.body()).toString());

                    String error = new String(uncached.body(), StandardCharsets.UTF_8);
                    assertEquals(outage.coldStatus, uncached.statusCode(), error);
                    assertTrue(error.startsWith("{\"errors\":[{\"code\":"), error);
                    assertTrue(error.contains("upstream " + UPSTREAM), error);
                    assertFalse(error.contains(faulty.url().getAuthority()), error);
                    assertFalse(error.contains(registry.host()), error);
                    if (outage == Outage.RATE_LIMITED) {
                        assertEquals(Optional.of("30"), uncached.headers().firstValue("Retry-After"));
                    }

                    assertEquals(0, faulty.count("GET", p -> p.contains("/blobs/")), "cached blobs never go upstream");
                    if (outage != Outage.REFUSED) {
                        assertTrue(
                                faulty.count("HEAD", p -> p.contains("/manifests/"))
                                        >= seeded.all().size(),
                                () -> "every tag was re-checked upstream: " + faulty.requests());
                    }
                    if (outage == Outage.REGISTRY_FROZEN) {
                        assertTrue(staleMillis[0] >= READ_TIMEOUT.toMillis(), "the re-check waited for its timeout");
                    }
                    System.out.printf(
                            "StaleServingIT %s: %d images pulled in %d ms; stale tag in %d ms; uncached tag %d in %d"
                                    + " ms%n",
                            outage,
                            seeded.all().size(),
                            pullMillis,
                            staleMillis[0],
                            uncached.statusCode(),
                            coldMillis[0]);
                } finally {
                    end(outage, faulty, registry);
                }
            }
        }
    }

    private static String yaml(FaultyUpstream faulty) {
        return "defaultUpstream: " + UPSTREAM + "\n"
                + "upstreams:\n"
                + "  - name: " + UPSTREAM + "\n"
                + "    url: " + faulty.url() + "\n"
                + "    readTimeout: " + READ_TIMEOUT.toSeconds() + "s\n"
                + "freshness:\n"
                + "  - match: \"*\"\n"
                + "    tagTtl: 0s\n"
                + "maxStale: 1h\n"
                // Past the read timeout: a frozen upstream's re-check times out, and the outage itself is reported.
                + "recheckDeadline: 30s\n";
    }

    private static void begin(Outage outage, FaultyUpstream faulty, RegistryProcess registry) {
        switch (outage) {
            case REFUSED -> faulty.inject(Fault.refuse());
            case STATUS_503 -> faulty.inject(Fault.status(503));
            case RATE_LIMITED -> faulty.inject(Fault.status(429, Duration.ofSeconds(30)));
            case REGISTRY_STOPPED -> registry.stop();
            case REGISTRY_FROZEN -> registry.freeze();
        }
    }

    private static void end(Outage outage, FaultyUpstream faulty, RegistryProcess registry) {
        switch (outage) {
            case REFUSED, STATUS_503, RATE_LIMITED -> faulty.heal();
            case REGISTRY_STOPPED -> registry.restart();
            case REGISTRY_FROZEN -> registry.thaw();
        }
    }

    /** Copies every seeded image through Wharf by path prefix; skopeo verifies every digest. */
    private void pullAll(RunningWharf wharf, SeededSet seeded, Path out) throws Exception {
        Files.createDirectories(out);
        int n = 0;
        for (SeededImage image : seeded.all()) {
            Path dir = out.resolve(String.valueOf(n++));
            skopeo.copyToDir(wharf.host() + "/" + UPSTREAM + "/" + image.reference(), dir);
            assertTrue(Files.size(dir.resolve("manifest.json")) > 0, image.reference());
        }
    }

    private HttpResponse<byte[]> timedGet(RunningWharf wharf, SeededImage image, long[] millis) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(wharf.url()
                        .resolve("/v2/" + UPSTREAM + "/" + image.repository() + "/manifests/"
                                + image.tags().get(0)))
                .header("Accept", RegistryClient.manifestAcceptHeader())
                .timeout(Duration.ofSeconds(30))
                .build();
        long start = System.nanoTime();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        millis[0] = Duration.ofNanos(System.nanoTime() - start).toMillis();
        return response;
    }

    private interface Step {
        void run() throws Exception;
    }

    private static long timed(Step step) throws Exception {
        long start = System.nanoTime();
        step.run();
        return Duration.ofNanos(System.nanoTime() - start).toMillis();
    }
}
