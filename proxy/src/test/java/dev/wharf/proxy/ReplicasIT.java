package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.lab.FaultyUpstream;
import dev.wharf.proxy.lab.FaultyUpstream.Fault;
import dev.wharf.proxy.lab.FreePort;
import dev.wharf.proxy.lab.ImageFormat;
import dev.wharf.proxy.lab.ImageSeeder;
import dev.wharf.proxy.lab.RawGet;
import dev.wharf.proxy.lab.RegistryProcess;
import dev.wharf.proxy.lab.RunningWharf;
import dev.wharf.proxy.lab.S3Server;
import dev.wharf.proxy.lab.SeededImage;
import dev.wharf.proxy.lab.Skopeo;
import dev.wharf.storage.Digest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several Wharf replicas sharing one bucket on a real S3 server, in front of a real registry: what one replica cached
 * the others serve without asking the upstream, and replicas missing the same blob at once fetch it upstream once.
 */
@Timeout(180)
class ReplicasIT {
    private static final String UPSTREAM = "up.test";
    private static final String PREFIX = "prod/";

    @TempDir
    Path dir;

    private S3Server s3;

    @BeforeEach
    void startS3() throws Exception {
        s3 = S3Server.start();
    }

    @AfterEach
    void stopS3() {
        s3.close();
    }

    @Test
    void aReplicaWithAnEmptyDiskServesWhatAnotherCachedWithoutAskingTheUpstream() throws Exception {
        Skopeo skopeo = new Skopeo();
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            SeededImage image =
                    ImageSeeder.of(registry).seedImage("org/app", List.of("1.0"), ImageFormat.OCI, "amd64", 3);
            try (RunningWharf a = replica(registry.url().toString(), "a");
                    RunningWharf b = replica(registry.url().toString(), "b")) {
                skopeo.copyToDir(a.host() + "/" + UPSTREAM + "/" + image.reference(), dir.resolve("via-a"))
                        .requireSuccess();
                assertTrue(registry.count("GET", p -> p.contains("/blobs/")) > 0, "replica a pulled upstream");
                registry.clearRequests();

                skopeo.copyToDir(b.host() + "/" + UPSTREAM + "/" + image.reference(), dir.resolve("via-b"))
                        .requireSuccess();

                assertEquals(List.of(), registry.requestsSettled(), "replica b asked the upstream nothing");
                for (String blob : image.blobDigests()) {
                    String hex = Digest.parse(blob).encoded();
                    assertEquals(
                            -1L,
                            Files.mismatch(
                                    dir.resolve("via-a").resolve(hex),
                                    dir.resolve("via-b").resolve(hex)),
                            "the same bytes of " + blob + " through both replicas");
                }
                List<String> keys = s3.keys(PREFIX);
                for (String blob : image.blobDigests()) {
                    String hex = Digest.parse(blob).encoded();
                    assertTrue(
                            keys.contains(PREFIX + "blobs/sha256/" + hex.substring(0, 2) + "/" + hex), keys::toString);
                }
                assertTrue(keys.stream().anyMatch(k -> k.contains("/_tags/1.0")), "the tag link is in the bucket");
                assertFalse(keys.stream().anyMatch(k -> k.startsWith(PREFIX + "leases/")), "no lease left behind");
                assertEquals(0, s3.pendingUploads(), "no upload left pending");
            }
        }
    }

    @Test
    void twentyClientsOnEachOfTwoReplicasMissingOneBlobFetchItUpstreamOnce() throws Exception {
        int perReplica = 20;
        long layerBytes = 16L << 20;
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            String layer = ImageSeeder.of(registry)
                    .seedLarge("org/big", "1.0", layerBytes)
                    .blobDigests()
                    .get(1);
            try (FaultyUpstream upstream = FaultyUpstream.fronting(registry);
                    RunningWharf a = replica(upstream.url().toString(), "a");
                    RunningWharf b = replica(upstream.url().toString(), "b")) {
                CompletableFuture<Void> release = new CompletableFuture<>();
                // The first fill gets 1 MiB and then waits until the clients of both replicas are asking and a fill
                // holds the lease: the other replica's fill finds it held.
                upstream.inject(Fault.hold(1 << 20, release), path -> path.contains("/blobs/"));
                String path = "/v2/" + UPSTREAM + "/org/big/blobs/" + layer;
                ExecutorService threads = Executors.newFixedThreadPool(2 * perReplica);
                CountDownLatch asked = new CountDownLatch(2 * perReplica);
                List<Future<Outcome>> outcomes = new ArrayList<>();
                try {
                    for (RunningWharf replica : List.of(a, b)) {
                        for (int i = 0; i < perReplica; i++) {
                            outcomes.add(threads.submit(() -> {
                                asked.countDown();
                                long started = System.nanoTime();
                                try (RawGet get = RawGet.send(replica.url(), "GET", path)) {
                                    get.readRest();
                                    return new Outcome(get.status(), get.bodyRead(), get.digest());
                                } catch (java.io.IOException e) {
                                    throw new java.io.IOException(
                                            "a client of " + replica.url() + " after "
                                                    + (System.nanoTime() - started) / 1_000_000 + " ms",
                                            e);
                                }
                            }));
                        }
                    }
                    assertTrue(asked.await(60, TimeUnit.SECONDS), "every client is asking");
                    awaitLease();
                    release.complete(null);

                    Map<Outcome, Integer> seen = new HashMap<>();
                    for (Future<Outcome> outcome : outcomes) {
                        seen.merge(outcome.get(120, TimeUnit.SECONDS), 1, Integer::sum);
                    }
                    // Every client got the whole layer: status 200 and bytes hashing to its digest.
                    assertEquals(1, seen.size(), seen::toString);
                    Outcome only = seen.keySet().iterator().next();
                    assertEquals(200, only.status());
                    assertEquals(Digest.parse(layer), only.digest());
                    assertEquals(2 * perReplica, seen.get(only));
                } finally {
                    release.complete(null);
                    threads.shutdownNow();
                }
                int gets = registry.count("GET", p -> p.endsWith("/blobs/" + layer));
                System.out.printf(
                        "ReplicasIT: %d clients on each of 2 replicas missed one %d MiB blob: %d upstream GET(s)%n",
                        perReplica, layerBytes >> 20, gets);
                assertEquals(1, gets, "one upstream GET for both replicas");
            }
        }
    }

    @Test
    void aReplicaKilledMidFillLeavesNothingVisibleAndAnotherCompletesTheBlobOnceItsLeaseExpires() throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            String layer = ImageSeeder.of(registry)
                    .seedLarge("org/big", "1.0", 8L << 20)
                    .blobDigests()
                    .get(1);
            String hex = Digest.parse(layer).encoded();
            String path = "/v2/" + UPSTREAM + "/org/big/blobs/" + layer;
            try (FaultyUpstream upstream = FaultyUpstream.fronting(registry)) {
                CompletableFuture<Void> never = new CompletableFuture<>();
                upstream.inject(Fault.hold(1 << 20, never), p -> p.contains("/blobs/"));
                int port = FreePort.find();
                Process killed = launchReplica(upstream.url().toString(), "killed", port);
                ExecutorService client = Executors.newSingleThreadExecutor();
                try {
                    URI replica = URI.create("http://127.0.0.1:" + port);
                    awaitListening(replica, killed);
                    client.submit(() -> {
                        try (RawGet get = RawGet.send(replica, "GET", path)) {
                            get.readRest();
                        }
                        return null;
                    });
                    awaitLease();
                } finally {
                    killed.destroyForcibly();
                    assertTrue(killed.waitFor(30, TimeUnit.SECONDS), "the replica was killed");
                    client.shutdownNow();
                }
                List<String> keys = s3.keys(PREFIX);
                assertFalse(
                        keys.stream().anyMatch(k -> k.endsWith("/" + hex) && k.contains("/blobs/")), keys::toString);
                assertTrue(keys.contains(PREFIX + "leases/sha256/" + hex), "the killed replica's lease is left");
                upstream.heal();
                never.complete(null);

                try (RunningWharf survivor = replica(upstream.url().toString(), "survivor")) {
                    long started = System.nanoTime();
                    // Up to the lease's 30 s pass before the survivor may fetch: longer than RawGet waits.
                    HttpResponse<byte[]> served = HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(survivor.url().resolve(path))
                                            .timeout(Duration.ofSeconds(90))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofByteArray());
                    assertEquals(200, served.statusCode());
                    assertEquals(Digest.parse(layer), Digest.sha256(served.body()));
                    long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                    System.out.printf(
                            "ReplicasIT: the blob of a replica killed mid-fill was served after %d ms%n", waited);
                    assertTrue(waited < 45_000, "the lease expired (30 s after its last renewal): " + waited + " ms");
                    // The survivor streams the blob while it stores it: the upload and the lease's release may end
                    // after the client's last byte, so they are awaited while the survivor still runs.
                    keys = awaitKeys(k -> k.stream().anyMatch(key -> key.endsWith("/" + hex) && key.contains("/blobs/"))
                            && !k.contains(PREFIX + "leases/sha256/" + hex));
                }
                assertTrue(keys.stream().anyMatch(k -> k.endsWith("/" + hex) && k.contains("/blobs/")), keys::toString);
                assertFalse(keys.contains(PREFIX + "leases/sha256/" + hex), "the survivor released its lease");
            }
        }
    }

    @Test
    void theBucketDownFailsRequestsFastWith503ButTheDiskTierServesAndWharfRecoversWhenItReturns() throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            SeededImage image =
                    ImageSeeder.of(registry).seedImage("org/app", List.of("1.0"), ImageFormat.OCI, "amd64", 1);
            String blob = image.blobDigests().get(image.blobDigests().size() - 1);
            String path = "/v2/" + UPSTREAM + "/org/app/blobs/" + blob;
            try (RunningWharf a = replica(registry.url().toString(), "a");
                    RunningWharf tiered = RunningWharf.start(
                            yaml(registry.url().toString()),
                            Files.createDirectories(dir.resolve("tiered")),
                            s3.storageYaml(PREFIX) + "    diskTier: 64MiB\n")) {
                // The replica with a disk tier fills the image, so its blobs are on its local disk too.
                new Skopeo()
                        .copyToDir(tiered.host() + "/" + UPSTREAM + "/" + image.reference(), dir.resolve("pulled"))
                        .requireSuccess();
                s3.stop();

                try (RawGet get = RawGet.send(tiered.url(), "GET", path)) {
                    get.readRest();
                    assertEquals(200, get.status(), "the disk tier serves with the bucket down");
                    assertEquals(Digest.parse(blob), get.digest());
                }

                long started = System.nanoTime();
                HttpResponse<String> refused = HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(a.url().resolve(path))
                                        .timeout(Duration.ofSeconds(60))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                assertEquals(503, refused.statusCode(), refused.body());
                assertTrue(refused.body().contains("\"code\":\"UNAVAILABLE\""), refused.body());
                assertFalse(refused.body().contains(S3Server.SECRET_KEY), refused.body());
                long failedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                assertTrue(failedAfter < 15_000, "failed fast: " + failedAfter + " ms");

                s3.startAgain();
                try (RawGet get = RawGet.send(a.url(), "GET", path)) {
                    get.readRest();
                    assertEquals(200, get.status());
                    assertEquals(Digest.parse(blob), get.digest());
                }
                System.out.printf("ReplicasIT: with the bucket down a cached blob got 503 in %d ms%n", failedAfter);
            }
        }
    }

    /** Starts a replica as its own process, through the launcher, so that it can be killed. */
    private Process launchReplica(String upstreamUrl, String name, int port) throws Exception {
        Path data = Files.createDirectories(dir.resolve(name));
        Path config = Files.writeString(
                dir.resolve(name + ".yaml"),
                "listen: 127.0.0.1:" + port + "\nadminListen: 127.0.0.1:" + FreePort.find() + "\nstorage:\n  path: "
                        + data + "\n" + s3.storageYaml(PREFIX) + "defaultUpstream: " + UPSTREAM
                        + "\nupstreams:\n  - name: " + UPSTREAM + "\n    url: " + upstreamUrl + "\n");
        return new ProcessBuilder(
                        Path.of("..", "bin", "wharf").toAbsolutePath().toString(),
                        "serve",
                        "--config",
                        config.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile())
                .start();
    }

    private static void awaitListening(URI replica, Process process) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            assertTrue(process.isAlive(), "the replica process runs");
            try {
                http.send(
                        HttpRequest.newBuilder(replica.resolve("/v2/"))
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                return;
            } catch (java.io.IOException notYet) {
                assertTrue(System.nanoTime() < deadline, "the replica answers within 60 s");
                Thread.sleep(100);
            }
        }
    }

    /** What one client got. */
    private record Outcome(int status, long bytes, Digest digest) {}

    /** The bucket's keys once {@code done} holds for them, or as they are after 30 s. */
    private List<String> awaitKeys(Predicate<List<String>> done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<String> keys = s3.keys(PREFIX);
        while (!done.test(keys) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            keys = s3.keys(PREFIX);
        }
        return keys;
    }

    private void awaitLease() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (s3.keys(PREFIX + "leases/").isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "a fill holds the lease");
            Thread.sleep(20);
        }
    }

    private RunningWharf replica(String upstreamUrl, String name) throws Exception {
        return RunningWharf.start(
                yaml(upstreamUrl), Files.createDirectories(dir.resolve(name)), s3.storageYaml(PREFIX));
    }

    private static String yaml(String upstreamUrl) {
        return "defaultUpstream: " + UPSTREAM + "\nupstreams:\n  - name: " + UPSTREAM + "\n    url: " + upstreamUrl
                + "\n";
    }
}
