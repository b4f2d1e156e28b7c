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
import dev.wharf.proxy.upstream.RegistryClient;
import dev.wharf.storage.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The fault matrix: a real Wharf (read timeout 1 s, every tag re-checked) in front of a fault-injecting proxy of a
 * real registry. For each upstream fault and each of tag, digest manifest and blob, cold (never fetched) and warm
 * (cached while healthy): the status the client gets, how many requests reached the upstream, how long the answer
 * took (bounded by the read timeout), and afterwards that every stored file hashes to its name and no temp file
 * is left. Warm content is served under every fault; cold content fails fast with 502 or, on a timeout, 504.
 */
class UpstreamFaultsIT {
    private static final String UPSTREAM = "up.test";
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration BOUND = READ_TIMEOUT.plusSeconds(2);
    private static final int BLOB_BYTES = 32 * 1024;

    /** An upstream fault, the status a cold reference then gets, and how many requests reach the upstream. */
    enum Case {
        REFUSE(Fault.refuse(), 502, 0),
        BLACKHOLE(Fault.blackhole(), 504, 1),
        RESET_AFTER_HEADERS(Fault.resetAfterHeaders(), 502, 1),
        TRUNCATE(Fault.truncate(), 502, 1),
        WRONG_BYTES(Fault.wrongBytes(), 502, 1),
        STATUS_500(Fault.status(500), 502, 1),
        STATUS_503(Fault.status(503), 502, 1),
        // 4 KiB every 250 ms: the blob takes longer than the read timeout, but no read waits that long.
        DRIBBLE(Fault.dribble(4096, Duration.ofMillis(250)), 200, 1),
        // A first piece, then silence.
        STALL(Fault.dribble(16, Duration.ofMinutes(5)), 504, 1);

        final Fault fault;
        final int coldStatus;
        final int coldAttempts;

        Case(Fault fault, int coldStatus, int coldAttempts) {
            this.fault = fault;
            this.coldStatus = coldStatus;
            this.coldAttempts = coldAttempts;
        }

        int warmTagAttempts() {
            return this == REFUSE ? 0 : 1;
        }
    }

    /** What a case fetches cold: a tag, a manifest by digest only, and a blob, none of them fetched before. */
    private record Cold(SeededImage tagged, SeededImage untagged, String repository, Digest blob) {}

    @TempDir
    static Path data;

    private static RegistryProcess registry;
    private static FaultyUpstream faulty;
    private static RunningWharf wharf;
    private static SeededImage warm;
    private static final Map<Case, Cold> COLD = new EnumMap<>(Case.class);
    private static final List<String> TABLE = new ArrayList<>();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        registry = RegistryProcess.anonymous();
        faulty = FaultyUpstream.fronting(registry);
        ImageSeeder seeder = ImageSeeder.of(registry);
        warm = seeder.seedImage("faults/warm", List.of("1"), ImageFormat.OCI, "amd64", 1);
        for (Case c : Case.values()) {
            String repository = "faults/" + c.name().toLowerCase(Locale.ROOT).replace('_', '-');
            SeededImage tagged = seeder.seedImage(repository, List.of("cold"), ImageFormat.OCI, "amd64", 1);
            SeededImage untagged = seeder.seedImage(repository, List.of(), ImageFormat.OCI, "arm64", 1);
            byte[] blob = new byte[BLOB_BYTES];
            new SplittableRandom(c.ordinal()).nextBytes(blob);
            COLD.put(c, new Cold(tagged, untagged, repository, Digest.parse(seeder.pushBlob(repository, blob))));
        }
        wharf = RunningWharf.start(yaml(), data);
        assertEquals(200, manifest(warm.repository(), "1").statusCode());
        assertEquals(200, manifest(warm.repository(), warm.manifestDigest()).statusCode());
        assertEquals(200, blob(warm.repository(), warmBlob()).statusCode());
        TABLE.add(String.format("%-20s %-16s %6s %8s %6s", "fault", "target", "status", "attempts", "ms"));
    }

    @AfterAll
    static void stop() {
        try {
            if (wharf != null) {
                wharf.close();
            }
        } finally {
            try {
                if (faulty != null) {
                    faulty.close();
                }
            } finally {
                if (registry != null) {
                    registry.close();
                }
            }
        }
        System.out.println("UpstreamFaultsIT (readTimeout " + READ_TIMEOUT.toMillis() + " ms)");
        TABLE.forEach(System.out::println);
    }

    @ParameterizedTest
    @EnumSource(Case.class)
    void warmContentIsServedAndColdContentFailsFastWithoutCorruptingTheCache(Case c) throws Exception {
        Cold cold = COLD.get(c);
        faulty.inject(c.fault);
        try {
            Outcome warmTag = fetch(c, "tag warm", () -> manifest(warm.repository(), "1"));
            Outcome warmDigest = fetch(c, "digest warm", () -> manifest(warm.repository(), warm.manifestDigest()));
            Outcome warmBlob = fetch(c, "blob warm", () -> blob(warm.repository(), warmBlob()));
            Outcome coldTag = fetch(c, "tag cold", () -> manifest(cold.repository(), "cold"));
            Outcome coldDigest = fetch(
                    c,
                    "digest cold",
                    () -> manifest(cold.repository(), cold.untagged().manifestDigest()));
            Outcome coldBlob = fetch(c, "blob cold", () -> blob(cold.repository(), cold.blob()));

            assertServed(warmTag, warm.manifestDigest(), c.warmTagAttempts());
            assertServed(warmDigest, warm.manifestDigest(), 0);
            assertServed(warmBlob, warmBlob().toString(), 0);
            if (c.coldStatus == 200) {
                assertServed(coldTag, cold.tagged().manifestDigest(), c.coldAttempts);
                assertServed(coldDigest, cold.untagged().manifestDigest(), c.coldAttempts);
                assertServed(coldBlob, cold.blob().toString(), c.coldAttempts);
                assertTrue(Files.exists(stored(cold.blob())), "the dribbled blob was kept");
            } else {
                for (Outcome failed : List.of(coldTag, coldDigest, coldBlob)) {
                    assertFailed(failed, c);
                }
                assertFalse(Files.exists(stored(cold.blob())), "a failed blob fill publishes nothing");
                assertFalse(
                        Files.exists(stored(Digest.parse(cold.untagged().manifestDigest()))),
                        "a failed manifest fetch publishes nothing");
            }
        } finally {
            faulty.heal();
        }
        assertCacheIsSound();
    }

    /** One client request's answer, with the upstream requests it caused and how long it took. */
    private record Outcome(String target, HttpResponse<byte[]> response, int attempts, long millis) {
        String body() {
            return new String(response.body(), StandardCharsets.UTF_8);
        }

        String what() {
            return target + ": " + response.statusCode() + " " + body();
        }
    }

    private interface Request {
        HttpResponse<byte[]> send() throws Exception;
    }

    private static Outcome fetch(Case c, String target, Request request) throws Exception {
        faulty.clearRequests();
        long start = System.nanoTime();
        HttpResponse<byte[]> response = request.send();
        long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
        int attempts = faulty.requests().size();
        TABLE.add(String.format("%-20s %-16s %6d %8d %6d", c, target, response.statusCode(), attempts, millis));
        Outcome outcome = new Outcome(target, response, attempts, millis);
        assertTrue(millis < BOUND.toMillis(), () -> outcome.what() + " took " + millis + " ms");
        return outcome;
    }

    private static void assertServed(Outcome outcome, String digest, int attempts) {
        assertEquals(200, outcome.response().statusCode(), outcome::what);
        assertEquals(digest, Digest.sha256(outcome.response().body()).toString(), outcome::what);
        assertEquals(attempts, outcome.attempts(), () -> outcome.what() + ": upstream requests");
    }

    private static void assertFailed(Outcome outcome, Case c) {
        String body = outcome.body();
        assertEquals(c.coldStatus, outcome.response().statusCode(), outcome::what);
        assertTrue(body.startsWith("{\"errors\":[{\"code\":"), outcome::what);
        assertTrue(body.contains("upstream " + UPSTREAM), outcome::what);
        assertFalse(body.contains(faulty.url().getAuthority()), outcome::what);
        assertEquals(c.coldAttempts, outcome.attempts(), () -> outcome.what() + ": upstream requests");
        if (c.coldStatus == 504) {
            assertTrue(outcome.millis() >= READ_TIMEOUT.toMillis(), () -> outcome.what() + " waited its timeout");
        }
    }

    /** Every stored file hashes to its own name, and no temp file is left behind. */
    private static void assertCacheIsSound() throws IOException {
        try (Stream<Path> files = Files.walk(data.resolve("blobs"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                assertEquals(file.getFileName().toString(), sha256(file), file::toString);
            }
        }
        try (Stream<Path> temps = Files.list(data.resolve("tmp"))) {
            assertEquals(List.of(), temps.toList(), "temp files left");
        }
    }

    private static Path stored(Digest digest) {
        String hex = digest.toString().substring("sha256:".length());
        return data.resolve("blobs")
                .resolve("sha256")
                .resolve(hex.substring(0, 2))
                .resolve(hex);
    }

    private static Digest warmBlob() {
        return Digest.parse(warm.blobDigests().get(warm.blobDigests().size() - 1));
    }

    private static HttpResponse<byte[]> manifest(String repository, String reference) throws Exception {
        return get("/v2/" + UPSTREAM + "/" + repository + "/manifests/" + reference);
    }

    private static HttpResponse<byte[]> blob(String repository, Digest digest) throws Exception {
        return get("/v2/" + UPSTREAM + "/" + repository + "/blobs/" + digest);
    }

    private static HttpResponse<byte[]> get(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(wharf.url().resolve(path))
                .header("Accept", RegistryClient.manifestAcceptHeader())
                .timeout(Duration.ofSeconds(30))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String yaml() {
        return "defaultUpstream: " + UPSTREAM + "\n"
                + "upstreams:\n"
                + "  - name: " + UPSTREAM + "\n"
                + "    url: " + faulty.url() + "\n"
                + "    readTimeout: " + READ_TIMEOUT.toSeconds() + "s\n"
                // One attempt per request and no breaker, so each case sees the raw fault: retries and the
                // circuit breaker have tests of their own (RetryingClientTest, CircuitBreakerClientTest).
                + "    retries: 0\n"
                + "    breaker: {failures: 1000, openFor: 1s}\n"
                + "freshness:\n"
                + "  - match: \"*\"\n"
                + "    tagTtl: 0s\n";
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest hasher;
        try {
            hasher = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                hasher.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(hasher.digest());
    }
}
