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
import dev.wharf.proxy.lab.TestClock;
import dev.wharf.proxy.upstream.RegistryClient;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Wharf, with the default timeouts and deadlines, in front of two upstreams that are the same real registry:
 * {@code hung.test} through a fault-injecting proxy, {@code steady.test} directly. Whatever {@code hung.test} does
 * (hold every request, or answer each just before the read timeout), cached content of both upstreams is served at
 * once, and a cached tag whose re-check hangs is served stale after the re-check deadline.
 */
class HungUpstreamIT {
    private static final int UNCACHED = 100;
    private static final int MAX_CONCURRENT = 32;
    private static final Duration CACHE_BOUND = Duration.ofMillis(500);
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path data;

    private final TestClock clock = new TestClock(Instant.now());
    private final List<CompletableFuture<HttpResponse<Void>>> hanging = new ArrayList<>();
    private RegistryProcess registry;
    private FaultyUpstream hung;
    private RunningWharf wharf;
    private ImageSeeder seeder;
    private SeededImage warm;

    @BeforeEach
    void start() throws Exception {
        registry = RegistryProcess.anonymous();
        hung = FaultyUpstream.fronting(registry);
        seeder = ImageSeeder.of(registry);
        warm = seeder.seedImage("hung/app", List.of("1"), ImageFormat.OCI, "amd64", 1);
    }

    @AfterEach
    void stop() {
        hanging.forEach(request -> request.cancel(true));
        try {
            if (wharf != null) {
                wharf.close();
            }
        } finally {
            try {
                hung.close();
            } finally {
                registry.close();
            }
        }
    }

    @Test
    void aCachedTagWhoseRecheckHangsIsServedStaleAtTheDeadlineAndUpdatedWhenTheRecheckReturns() throws Exception {
        wharf = RunningWharf.start(yaml(""), data, clock);
        assertEquals(warm.manifestDigest(), digestOf(get("hung.test", "manifests/1")));
        CompletableFuture<Void> release = new CompletableFuture<>();
        hung.inject(Fault.delay(release));
        clock.advance(Duration.ofSeconds(61)); // past the default tag TTL of 60 s: a re-check is due

        long started = System.nanoTime();
        HttpResponse<byte[]> stale = get("hung.test", "manifests/1");
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertEquals(200, stale.statusCode());
        assertEquals(warm.manifestDigest(), digestOf(stale));
        assertTrue(stale.headers().firstValue("Warning").isPresent(), "marked stale");
        assertTrue(took.compareTo(Duration.ofMillis(3_000)) <= 0, "answered in " + took.toMillis() + " ms");
        assertTrue(took.compareTo(Duration.ofMillis(1_900)) >= 0, "waited for the re-check's deadline first");
        assertEquals(1, hung.count("HEAD", path -> path.endsWith("/manifests/1")), "one re-check under way");

        SeededImage moved = seeder.seedImage("hung/app", List.of("1"), ImageFormat.OCI, "arm64", 1);
        release.complete(null);

        HttpResponse<byte[]> updated = awaitDigest("hung.test", "manifests/1", moved.manifestDigest());
        assertFalse(updated.headers().firstValue("Warning").isPresent(), "the re-check confirmed the new digest");
        assertEquals(1, hung.count("HEAD", path -> path.endsWith("/manifests/1")), "the same re-check, not another");
    }

    @Test
    void cachedContentOfEveryUpstreamIsServedWhileAHundredRequestsHangOnOne() throws Exception {
        wharf = RunningWharf.start(yaml(""), data, clock);
        List<String> uncached = pushBlobs(UNCACHED);
        warmBoth();
        hung.clearRequests();
        hung.inject(Fault.blackhole());

        for (String digest : uncached) {
            hanging.add(send("hung.test", "blobs/" + digest));
        }
        // Every thread of hung.test's lane is parked on a request the upstream holds; the rest queue behind them.
        awaitUpstreamRequests(MAX_CONCURRENT);

        List<Long> millis = serveCachedContent();

        assertTrue(hanging.stream().noneMatch(CompletableFuture::isDone), "the uncached requests still hang");
        assertEquals(MAX_CONCURRENT, hung.count("GET", path -> path.contains("/blobs/")), "no more than the lane");
        System.out.println("HungUpstreamIT: cached answers while 100 requests hang, ms: " + summary(millis));
    }

    @Test
    void cachedContentIsServedAtOnceWhileAnUpstreamAnswersJustBeforeItsReadTimeout() throws Exception {
        wharf = RunningWharf.start(yaml("    readTimeout: 5s\n"), data, clock);
        List<String> uncached = pushBlobs(UNCACHED);
        warmBoth();
        hung.clearRequests();
        hung.inject(Fault.delay(Duration.ofSeconds(4)));

        for (String digest : uncached) {
            hanging.add(send("hung.test", "blobs/" + digest));
        }
        awaitUpstreamRequests(MAX_CONCURRENT);
        List<Long> millis = serveCachedContent();

        for (CompletableFuture<HttpResponse<Void>> request : hanging) {
            assertEquals(200, request.get(60, TimeUnit.SECONDS).statusCode(), "the slow upstream answered them all");
        }
        System.out.println("HungUpstreamIT: cached answers while the upstream takes 4 s, ms: " + summary(millis));
    }

    /** Caches a manifest by tag and by digest and a blob of the image, through both upstreams. */
    private void warmBoth() throws IOException, InterruptedException {
        for (String upstream : List.of("hung.test", "steady.test")) {
            assertEquals(200, get(upstream, "manifests/1").statusCode());
            assertEquals(
                    200, get(upstream, "blobs/" + warm.blobDigests().get(0)).statusCode());
        }
    }

    /** Asks for cached blobs and manifests of both upstreams, 20 rounds; each answer is 200 within the bound. */
    private List<Long> serveCachedContent() throws IOException, InterruptedException {
        List<Long> millis = new ArrayList<>();
        for (int round = 0; round < 20; round++) {
            for (String upstream : List.of("hung.test", "steady.test")) {
                for (String path :
                        List.of("blobs/" + warm.blobDigests().get(0), "manifests/" + warm.manifestDigest())) {
                    long started = System.nanoTime();
                    HttpResponse<byte[]> response = get(upstream, path);
                    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                    assertEquals(200, response.statusCode(), upstream + " " + path);
                    assertTrue(took <= CACHE_BOUND.toMillis(), upstream + " " + path + " took " + took + " ms");
                    millis.add(took);
                }
            }
        }
        return millis;
    }

    private List<String> pushBlobs(int count) {
        List<String> digests = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < count; i++) {
            byte[] blob = new byte[1024];
            random.nextBytes(blob);
            digests.add(seeder.pushBlob("hung/app", blob));
        }
        return digests;
    }

    private void awaitUpstreamRequests(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (hung.count("GET", path -> path.contains("/blobs/")) < count) {
            assertTrue(System.nanoTime() < deadline, "the upstream never saw " + count + " blob requests");
            Thread.sleep(10);
        }
    }

    private HttpResponse<byte[]> awaitDigest(String upstream, String path, String digest) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            HttpResponse<byte[]> response = get(upstream, path);
            if (digest.equals(digestOf(response))) {
                return response;
            }
            assertTrue(System.nanoTime() < deadline, "the tag never moved to " + digest);
        }
    }

    private String yaml(String hungSettings) {
        return "defaultUpstream: steady.test\nupstreams:\n"
                + "  - name: hung.test\n    url: " + hung.url() + "\n" + hungSettings
                + "  - name: steady.test\n    url: " + registry.url() + "\n";
    }

    private HttpResponse<byte[]> get(String upstream, String path) throws IOException, InterruptedException {
        return HTTP.send(request(upstream, path), HttpResponse.BodyHandlers.ofByteArray());
    }

    private CompletableFuture<HttpResponse<Void>> send(String upstream, String path) {
        return HTTP.sendAsync(request(upstream, path), HttpResponse.BodyHandlers.discarding());
    }

    private HttpRequest request(String upstream, String path) {
        return HttpRequest.newBuilder(wharf.url().resolve("/v2/" + upstream + "/hung/app/" + path))
                .header("Accept", RegistryClient.manifestAcceptHeader())
                .timeout(Duration.ofSeconds(30))
                .build();
    }

    private static String digestOf(HttpResponse<?> response) {
        return response.headers().firstValue("Docker-Content-Digest").orElse("");
    }

    private static String summary(List<Long> millis) {
        long[] sorted = millis.stream().mapToLong(Long::longValue).sorted().toArray();
        return "n=" + sorted.length + " median=" + sorted[sorted.length / 2] + " p99="
                + sorted[(int) Math.ceil(sorted.length * 0.99) - 1] + " max=" + sorted[sorted.length - 1];
    }
}
