package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.config.EvictionConfig;
import dev.wharf.proxy.eviction.BucketEvictionSettings;
import dev.wharf.proxy.eviction.EvictionPlan;
import dev.wharf.proxy.eviction.EvictionSettings;
import dev.wharf.proxy.eviction.Evictor;
import dev.wharf.proxy.eviction.PendingEvictions;
import dev.wharf.proxy.eviction.PinnedImages;
import dev.wharf.proxy.eviction.ReplicaIndex;
import dev.wharf.proxy.eviction.TagRef;
import dev.wharf.proxy.eviction.UseLog;
import dev.wharf.proxy.lab.ImageSeeder;
import dev.wharf.proxy.lab.RawGet;
import dev.wharf.proxy.lab.RegistryProcess;
import dev.wharf.proxy.lab.RunningWharf;
import dev.wharf.proxy.lab.S3Server;
import dev.wharf.proxy.lab.Samples;
import dev.wharf.proxy.lab.SeededImage;
import dev.wharf.proxy.lab.Skopeo;
import dev.wharf.storage.Digest;
import dev.wharf.storage.ManifestCache;
import dev.wharf.storage.memory.MemoryIndex;
import dev.wharf.storage.s3.S3BlobSettings;
import dev.wharf.storage.s3.S3BlobStore;
import dev.wharf.storage.s3.S3Bucket;
import dev.wharf.storage.s3.S3EvictionStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@code storage.maxSize} bounding a bucket that two replicas share, on a real S3 server (s3proxy) in front of the
 * real registry, pulled by skopeo: the least recently used images (by the uses of both replicas) go whole, shared
 * layers and pinned images stay, and the bucket's bytes, counted through the S3 API, end under the quota; one replica
 * evicts at a time; a pull in progress on the other replica ends whole; a crash in the middle is completed by the
 * next evictor; evicted images are fetched from the upstream again.
 */
@Timeout(300)
class BucketEvictionIT {
    private static final String UPSTREAM = "up.test";
    private static final String PREFIX = "prod/";
    private static final long MAX_SIZE = 8L << 20;
    private static final Duration GRACE = Duration.ofSeconds(2);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final Skopeo skopeo = new Skopeo();

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
    void pastMaxSizeTheLeastRecentlyUsedImagesOfBothReplicasGoWholeAndTheBucketEndsUnderIt() throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            ImageSeeder seeder = ImageSeeder.of(registry);
            SeededImage pinned = seeder.seedWithLayers("org/pinned", List.of("1"), List.of("pinned-only"));
            SeededImage usedOnB = seeder.seedLarge("org/used-on-b", "1", 5L << 20);
            SeededImage oldSmall = seeder.seedWithLayers("org/old-small", List.of("1"), List.of("base-1", "old-only"));
            SeededImage oldLarge = seeder.seedLarge("org/old-large", "1", 5L << 20);
            SeededImage kept = seeder.seedWithLayers("org/kept", List.of("1"), List.of("base-1", "kept-only"));
            Digest pin = Digest.parse(pinned.manifestDigest());
            // Replica a evicts (run by hand here); replica b records its serves and its pins (the pinned image is
            // pinned by b alone, as if b had prewarmed it) and publishes them every 300 ms.
            try (RunningWharf a = RunningWharf.start(
                            yaml(registry), dir.resolve("a"), bounded("1h") + s3.storageYaml(PREFIX));
                    RunningWharf b = RunningWharf.start(
                            yaml(registry),
                            dir.resolve("b"),
                            "  evictEvery: 300ms\n" + s3.storageYaml(PREFIX),
                            pin::equals)) {
                copy(b, pinned);
                for (SeededImage image : List.of(usedOnB, oldSmall, oldLarge)) {
                    copy(a, image);
                }
                copy(b, kept);
                // Pulled first through a, but used last through b: that use is what keeps it.
                copy(b, usedOnB);
                waitFor(
                        () -> publishedUses().contains(usedOnB.manifestDigest())
                                && publishedUses().contains("pin\t" + pinned.manifestDigest()),
                        "replica b published its uses and pins");

                JsonNode dryRun = get(a.adminUrl().resolve("/eviction/plan"));
                JsonNode plan = post(a.adminUrl().resolve("/eviction/run"));
                assertEquals(dryRun.path("images"), plan.path("images"), "the dry run said what the run did");
                assertEquals(
                        List.of(oldSmall.manifestDigest(), oldLarge.manifestDigest()),
                        texts(plan.path("images"), "digest"),
                        plan.toPrettyString());
                assertEquals(List.of("quota", "quota"), texts(plan.path("images"), "reason"));
                assertTrue(plan.path("storedBytesAfter").asLong() <= MAX_SIZE, plan.toPrettyString());

                // The tags go at once; the bytes stay for the grace, for responses under way.
                List<String> keys = s3.keys(PREFIX);
                for (SeededImage gone : List.of(oldSmall, oldLarge)) {
                    assertFalse(keys.contains(tagKey(gone)), keys::toString);
                    assertTrue(keys.contains(blobKey(gone.manifestDigest())), keys::toString);
                }
                assertEquals(1, s3.keys(PREFIX + "eviction/journals/").size(), "the eviction's journal");

                Thread.sleep(GRACE.toMillis() + 500); // the grace, which this test configured, passes
                JsonNode second = post(a.adminUrl().resolve("/eviction/run"));
                assertEquals(0, second.path("images").size(), second.toPrettyString());

                keys = s3.keys(PREFIX);
                for (SeededImage gone : List.of(oldSmall, oldLarge)) {
                    assertFalse(keys.contains(blobKey(gone.manifestDigest())), gone + " " + keys);
                }
                assertFalse(keys.contains(blobKey(oldLarge.blobDigests().get(1))), "the large layer went");
                String base = kept.blobDigests().get(1);
                assertTrue(oldSmall.blobDigests().contains(base), "the images share base-1");
                assertTrue(keys.contains(blobKey(base)), "the layer a kept image shares stays");
                assertFalse(keys.contains(blobKey(oldSmall.blobDigests().get(2))), "old-small's own layer went");
                for (SeededImage stays : List.of(pinned, usedOnB, kept)) {
                    assertTrue(keys.contains(tagKey(stays)), stays + " keeps its tag");
                    for (String blob : stays.blobDigests()) {
                        assertTrue(keys.contains(blobKey(blob)), blob + " of " + stays.reference() + " stays");
                    }
                }
                assertEquals(List.of(), s3.keys(PREFIX + "eviction/journals/"), "the journal is done");
                assertEquals(List.of(), s3.keys(PREFIX + "eviction/lease"), "the lease was released");
                long stored = s3.bytes(PREFIX + "blobs/");
                System.out.printf(
                        "BucketEvictionIT: bucket blobs %d bytes (quota %d), whole prefix %d bytes%n",
                        stored, MAX_SIZE, s3.bytes(PREFIX));
                assertTrue(stored <= MAX_SIZE, stored + " bytes in the bucket");

                String metrics = scrape(a);
                assertEquals(stored, Samples.value(metrics, "wharf_storage_bytes"), metrics);
                assertEquals(MAX_SIZE, Samples.value(metrics, "wharf_storage_quota_bytes"), metrics);
                assertEquals(6, Samples.value(metrics, "wharf_evictions_total{reason=\"quota\"}"), metrics);

                // Pulled again through either replica: a miss, fetched from the upstream; kept images are not.
                registry.clearRequests();
                copy(b, oldLarge);
                copy(a, oldSmall);
                copy(b, kept);
                copy(a, usedOnB);
                assertEquals(1, upstreamGets(registry, oldLarge.blobDigests().get(1)), "the large layer anew");
                assertEquals(1, upstreamGets(registry, oldSmall.blobDigests().get(2)), "old-only anew");
                assertEquals(0, upstreamGets(registry, base), "the shared layer came from the bucket");
                for (String blob : kept.blobDigests()) {
                    assertEquals(0, upstreamGets(registry, blob), "kept " + blob + " came from the bucket");
                }
            }
        }
    }

    @Test
    void twoReplicasEvictingAtOnceOneHoldsTheLeaseAndNeitherFails() throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            ImageSeeder seeder = ImageSeeder.of(registry);
            SeededImage older = seeder.seedLarge("org/older", "1", 5L << 20);
            SeededImage newer = seeder.seedLarge("org/newer", "1", 5L << 20);
            try (RunningWharf a = RunningWharf.start(
                            yaml(registry), dir.resolve("a"), bounded("1h") + s3.storageYaml(PREFIX));
                    RunningWharf b = RunningWharf.start(
                            yaml(registry), dir.resolve("b"), bounded("1h") + s3.storageYaml(PREFIX))) {
                copy(a, older);
                copy(b, newer);

                List<JsonNode> first = atOnce(a, b);
                assertEquals(
                        1,
                        first.stream().filter(p -> p.path("images").size() > 0).count(),
                        "one replica evicted: " + first);
                JsonNode evicted = first.stream()
                        .filter(p -> p.path("images").size() > 0)
                        .findFirst()
                        .orElseThrow();
                assertEquals(List.of(older.manifestDigest()), texts(evicted.path("images"), "digest"));

                Thread.sleep(GRACE.toMillis() + 500); // the grace, which this test configured, passes
                List<JsonNode> second = atOnce(a, b);
                for (JsonNode plan : second) {
                    assertEquals(0, plan.path("images").size(), plan.toPrettyString());
                }
                List<String> keys = s3.keys(PREFIX);
                for (String blob : older.blobDigests()) {
                    assertFalse(keys.contains(blobKey(blob)), blob + " went");
                }
                for (String blob : newer.blobDigests()) {
                    assertTrue(keys.contains(blobKey(blob)), blob + " stays");
                }
                assertEquals(List.of(), s3.keys(PREFIX + "eviction/journals/"));
                assertEquals(List.of(), s3.keys(PREFIX + "eviction/lease"));
                assertTrue(s3.bytes(PREFIX + "blobs/") <= MAX_SIZE);
            }
        }
    }

    @Test
    void anImagePulledAgainDuringTheGraceIsKeptAndTheNextLeastRecentlyUsedGoesInstead() throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            ImageSeeder seeder = ImageSeeder.of(registry);
            SeededImage older = seeder.seedLarge("org/older", "1", 5L << 20);
            SeededImage newer = seeder.seedLarge("org/newer", "1", 5L << 20);
            String storage = "  maxSize: 8MiB\n  evictEvery: 1h\n  evictGrace: 10s\n" + s3.storageYaml(PREFIX);
            try (RunningWharf a = RunningWharf.start(yaml(registry), dir.resolve("a"), storage)) {
                copy(a, older);
                copy(a, newer);
                JsonNode first = post(a.adminUrl().resolve("/eviction/run"));
                assertEquals(List.of(older.manifestDigest()), texts(first.path("images"), "digest"));
                long journaled = System.nanoTime();

                // Within the grace the evicted image is a miss (its bytes are about to go), fetched anew.
                registry.clearRequests();
                copy(a, older);
                assertEquals(1, upstreamGets(registry, older.blobDigests().get(1)), "a miss during the grace");
                assertTrue(System.nanoTime() - journaled < TimeUnit.SECONDS.toNanos(10), "pulled within the grace");

                Thread.sleep(Math.max(
                        0,
                        TimeUnit.NANOSECONDS.toMillis(TimeUnit.SECONDS.toNanos(11)
                                - (System.nanoTime() - journaled)))); // the configured grace
                JsonNode second = post(a.adminUrl().resolve("/eviction/run"));
                assertEquals(
                        List.of(newer.manifestDigest()),
                        texts(second.path("images"), "digest"),
                        "now the least recently used: " + second.toPrettyString());
                List<String> keys = s3.keys(PREFIX);
                for (String blob : older.blobDigests()) {
                    assertTrue(keys.contains(blobKey(blob)), blob + " of the image pulled again stays");
                }
                assertTrue(keys.contains(blobKey(older.manifestDigest())));
                assertTrue(keys.contains(tagKey(older)));
                assertFalse(keys.contains(tagKey(newer)));

                registry.clearRequests();
                copy(a, older);
                assertEquals(0, upstreamGets(registry, older.blobDigests().get(1)), "served from the bucket");
            }
        }
    }

    @Test
    void aPullThroughTheOtherReplicaOfAnImageBeingEvictedEndsWholeAndLaterComesFromTheUpstream() throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            ImageSeeder seeder = ImageSeeder.of(registry);
            SeededImage big = seeder.seedLarge("org/big", "1", 24L << 20);
            SeededImage small = seeder.seedWithLayers("org/small", List.of("1"), List.of("small-only"));
            String storageA = "  maxSize: 8MiB\n  evictEvery: 1h\n  evictGrace: 10s\n" + s3.storageYaml(PREFIX);
            try (RunningWharf a = RunningWharf.start(yaml(registry), dir.resolve("a"), storageA);
                    RunningWharf b = RunningWharf.start(
                            yaml(registry), dir.resolve("b"), "  evictEvery: 300ms\n" + s3.storageYaml(PREFIX));
                    // Replica c hears of no eviction (its upkeep runs hourly): its index still lists the image.
                    RunningWharf c = RunningWharf.start(
                            yaml(registry), dir.resolve("c"), "  evictEvery: 1h\n" + s3.storageYaml(PREFIX))) {
                copy(a, big);
                copy(a, small);
                copy(c, big);
                String layer = big.blobDigests().get(1);
                String path = "/v2/" + UPSTREAM + "/org/big/blobs/" + layer;
                try (RawGet stream = RawGet.send(b.url(), "GET", path)) {
                    assertEquals(200, stream.status());
                    stream.read(1 << 20);

                    JsonNode plan = post(a.adminUrl().resolve("/eviction/run"));
                    assertEquals(List.of(big.manifestDigest()), texts(plan.path("images"), "digest"));

                    stream.readRest();
                    assertEquals(stream.contentLength(), stream.bodyRead());
                    assertEquals(Digest.parse(layer), stream.digest(), "every byte, verified");
                }
                long journaled = System.nanoTime();
                waitFor(
                        () -> System.nanoTime() - journaled > TimeUnit.SECONDS.toNanos(11)
                                && post(a.adminUrl().resolve("/eviction/run")) != null
                                && !s3.keys(PREFIX).contains(blobKey(layer)),
                        "the layer is deleted once the grace passed");

                registry.clearRequests();
                // c finds the bytes its index lists gone from the bucket: a miss, fetched from the upstream.
                copy(c, big);
                assertEquals(1, upstreamGets(registry, layer), "fetched anew from the upstream");
                copy(b, big);
                assertEquals(1, upstreamGets(registry, layer), "b finds what c stored again");
            }
        }
    }

    /** Returns once the bucket holds {@code image}'s manifest and blobs (uploads may end after the client's). */
    private void awaitUploaded(SeededImage image) throws InterruptedException {
        List<String> wanted = new ArrayList<>(image.blobDigests());
        wanted.add(image.manifestDigest());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            List<String> keys = s3.keys(PREFIX);
            if (wanted.stream().allMatch(d -> keys.contains(blobKey(d)))) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "uploaded: " + wanted + " in " + keys);
            Thread.sleep(20);
        }
    }

    /** When the newest object under the prefix was uploaded, as the bucket reports it. */
    private Instant newestUpload() {
        return s3.client().listObjectsV2Paginator(b -> b.bucket(S3Server.BUCKET).prefix(PREFIX)).contents().stream()
                .map(S3Object::lastModified)
                .max(Comparator.naturalOrder())
                .orElseThrow();
    }

    /** Returns once this machine's clock (which s3proxy reads too) is past the whole second of {@code instant}. */
    private static void awaitTheSecondAfter(Instant instant) throws InterruptedException {
        Instant next = instant.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        while (Instant.now().isBefore(next)) {
            Thread.sleep(Math.max(1, Duration.between(Instant.now(), next).toMillis()));
        }
    }

    @Test
    void anEvictionThatCrashedHalfWayIsCompletedByTheNextEvictorAndTheImageIsFetchedAgain() throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            ImageSeeder seeder = ImageSeeder.of(registry);
            SeededImage victim = seeder.seedLarge("org/victim", "1", 5L << 20);
            SeededImage keeper = seeder.seedLarge("org/keeper", "1", 5L << 20);
            try (RunningWharf seeding = RunningWharf.start(
                    yaml(registry), dir.resolve("seeding"), bounded("1h") + s3.storageYaml(PREFIX))) {
                copy(seeding, victim);
                // No replica published a use, so upload times order the two: S3 keeps them to the second, so the
                // keeper is uploaded once the clock passed the second of the victim's newest object.
                awaitUploaded(victim);
                awaitTheSecondAfter(newestUpload());
                copy(seeding, keeper);
            }

            // An evictor whose process dies while deleting the victim's digests: the second delete never happens.
            AtomicInteger blobDeletes = new AtomicInteger();
            S3Client crashing = new DeleteFailing(
                    s3.client(), key -> key.startsWith(PREFIX + "blobs/") && blobDeletes.incrementAndGet() == 2);
            S3Bucket bucket = new S3Bucket(S3Server.BUCKET, PREFIX);
            try (Evictor evictor = crashedEvictor(crashing, bucket)) {
                EvictionPlan plan = evictor.run().get(60, TimeUnit.SECONDS);
                assertEquals(
                        List.of(victim.manifestDigest()),
                        plan.images().stream()
                                .map(i -> i.image().root().toString())
                                .toList());
                assertFalse(s3.keys(PREFIX).contains(tagKey(victim)), "the tag went first");
                Thread.sleep(GRACE.toMillis() + 500); // the grace, which this test configured, passes
                ExecutionException crash = assertThrows(
                        ExecutionException.class, () -> evictor.run().get(60, TimeUnit.SECONDS));
                // The fault injected below: status 599 on the second delete of a blob.
                assertTrue(crash.getCause().getMessage().contains("S3 answered 599"), crash.toString());
            }
            List<String> keys = s3.keys(PREFIX);
            assertFalse(keys.contains(blobKey(victim.manifestDigest())), "the manifest went: " + keys);
            assertTrue(
                    victim.blobDigests().stream().anyMatch(blob -> keys.contains(blobKey(blob))),
                    "some of the victim's blobs are left: " + keys);
            assertEquals(1, s3.keys(PREFIX + "eviction/journals/").size(), "its journal is left");

            try (RunningWharf next =
                    RunningWharf.start(yaml(registry), dir.resolve("next"), bounded("1h") + s3.storageYaml(PREFIX))) {
                // Completed by the next evictor on its own thread right after it opened (start-up does not wait).
                waitFor(
                        () -> s3.keys(PREFIX + "eviction/journals/").isEmpty(),
                        "the next evictor completed the eviction");
                List<String> after = s3.keys(PREFIX);
                for (String blob : victim.blobDigests()) {
                    assertFalse(after.contains(blobKey(blob)), blob + " went: " + after);
                }
                for (String blob : keeper.blobDigests()) {
                    assertTrue(after.contains(blobKey(blob)), blob + " stays");
                }
                assertEquals(List.of(), s3.keys(PREFIX + "eviction/journals/"));

                registry.clearRequests();
                copy(next, victim);
                copy(next, keeper);
                assertEquals(1, upstreamGets(registry, victim.blobDigests().get(1)), "the victim anew");
                assertEquals(0, upstreamGets(registry, keeper.blobDigests().get(1)), "the keeper from the bucket");
            }
        }
    }

    @Test
    void aReplicaThatStoresADigestAgainWhileTheEvictorIsAboutToDeleteItServesOnlyWholeVerifiedBytes() throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            SeededImage big = ImageSeeder.of(registry).seedLarge("org/big", "1", 24L << 20);
            String layer = big.blobDigests().get(1);
            String path = "/v2/" + UPSTREAM + "/org/big/blobs/" + layer;
            // The evictor a: its deletes wait, once it has listed the bucket and read the uses, until released.
            CountDownLatch deleting = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            S3Client held = DeleteFailing.holding(s3.client(), key -> {
                if (key.startsWith(PREFIX + "blobs/")) {
                    deleting.countDown();
                    try {
                        release.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            ExecutorService thread = Executors.newSingleThreadExecutor();
            try (RunningWharf b = RunningWharf.start(
                            yaml(registry), dir.resolve("b"), "  evictEvery: 300ms\n" + s3.storageYaml(PREFIX));
                    Evictor a = evictorThrough(held, new S3Bucket(S3Server.BUCKET, PREFIX), "a")) {
                copy(b, big);
                waitFor(
                        () -> s3.keys(PREFIX).containsAll(List.of(blobKey(layer), blobKey(big.manifestDigest()))),
                        "b uploaded the image");
                EvictionPlan plan = a.run().get(60, TimeUnit.SECONDS);
                assertEquals(1, plan.images().size(), "the image past maxSize is evicted");
                Thread.sleep(GRACE.toMillis() + 500); // the grace, which this test configured, passes

                Future<EvictionPlan> finishing = thread.submit(() -> a.run().get(60, TimeUnit.SECONDS));
                assertTrue(deleting.await(60, TimeUnit.SECONDS), "the evictor reached its deletes");
                // b, which read the journal, stores the image again from the upstream while the deletes wait.
                registry.clearRequests();
                copy(b, big);
                assertEquals(1, upstreamGets(registry, layer), "a miss while a journal names it");
                try (RawGet stream = RawGet.send(b.url(), "GET", path)) {
                    assertEquals(200, stream.status());
                    stream.read(1 << 20);
                    release.countDown();
                    finishing.get(60, TimeUnit.SECONDS);
                    stream.readRest();
                    assertEquals(stream.contentLength(), stream.bodyRead(), "every byte");
                    assertEquals(Digest.parse(layer), stream.digest(), "every byte, verified");
                }
                assertEquals(List.of(), s3.keys(PREFIX + "eviction/journals/"), "the eviction completed");
                // Whatever the evictor deleted, b's clients keep getting the image whole.
                copy(b, big);
                try (RawGet again = RawGet.send(b.url(), "GET", path)) {
                    assertEquals(200, again.status());
                    again.readRest();
                    assertEquals(again.contentLength(), again.bodyRead());
                    assertEquals(Digest.parse(layer), again.digest());
                }
            } finally {
                release.countDown();
                thread.shutdownNow();
            }
        }
    }

    @Test
    void aPurgeThatCannotGetTheLeaseAnswers503WithAJsonError() throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous();
                RunningWharf a =
                        RunningWharf.start(yaml(registry), dir.resolve("a"), bounded("1h") + s3.storageYaml(PREFIX))) {
            S3EvictionStore other =
                    new S3EvictionStore(s3.client(), new S3Bucket(S3Server.BUCKET, PREFIX), "other", Clock.systemUTC());
            // a takes the lease briefly at start (its recovery): wait until another replica can.
            java.util.concurrent.atomic.AtomicReference<S3EvictionStore.EvictionLease> taken =
                    new java.util.concurrent.atomic.AtomicReference<>();
            waitFor(
                    () -> other.tryLease(Duration.ofMinutes(5))
                            .map(l -> {
                                taken.set(l);
                                return true;
                            })
                            .orElse(false),
                    "another replica takes the eviction lease");
            try (S3EvictionStore.EvictionLease held = taken.get()) {
                HttpResponse<String> response = http.send(
                        HttpRequest.newBuilder(a.adminUrl().resolve("/cache?upstream=" + UPSTREAM))
                                .DELETE()
                                .timeout(Duration.ofSeconds(90))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(503, response.statusCode(), response.body());
                assertTrue(
                        JSON.readTree(response.body()).path("error").asText().contains("purge again later"),
                        response.body());
                assertFalse(response.body().contains("Exception"), response.body());
                assertTrue(held.renew(), "the other replica kept its lease throughout");
            }
        }
    }

    /** An evictor of the bucket through {@code client}, as a replica would open it, with no index of its own. */
    private Evictor crashedEvictor(S3Client client, S3Bucket bucket) throws Exception {
        return evictorThrough(client, bucket, "crashed");
    }

    private Evictor evictorThrough(S3Client client, S3Bucket bucket, String name) throws Exception {
        Clock clock = Clock.systemUTC();
        S3BlobStore blobs =
                S3BlobStore.open(client, Optional.empty(), S3BlobSettings.of(bucket, dir.resolve(name + "-spool")));
        MemoryIndex index = new MemoryIndex();
        EvictionSettings settings = new EvictionSettings(
                blobs,
                index,
                index,
                new ManifestCache(1 << 20),
                Files.createDirectories(dir.resolve(name)),
                new EvictionConfig(MAX_SIZE, 0, Duration.ofHours(1), GRACE),
                PinnedImages.NONE,
                new UseLog(clock),
                clock,
                false);
        ReplicaIndex nothing = new ReplicaIndex() {
            @Override
            public void forgetTag(TagRef tag) {}

            @Override
            public void forgetDigest(Digest digest) {}
        };
        return Evictor.open(
                settings,
                new BucketEvictionSettings(
                        new S3EvictionStore(client, bucket, name, clock),
                        blobs,
                        GRACE,
                        new PendingEvictions(),
                        nothing),
                new SimpleMeterRegistry());
    }

    /** The plans of {@code /eviction/run} asked of both replicas at the same moment. */
    private List<JsonNode> atOnce(RunningWharf a, RunningWharf b) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch ready = new CountDownLatch(2);
            List<Future<JsonNode>> runs = new ArrayList<>();
            for (RunningWharf replica : List.of(a, b)) {
                runs.add(threads.submit(() -> {
                    ready.countDown();
                    ready.await();
                    return post(replica.adminUrl().resolve("/eviction/run"));
                }));
            }
            List<JsonNode> plans = new ArrayList<>();
            for (Future<JsonNode> run : runs) {
                plans.add(run.get(60, TimeUnit.SECONDS));
            }
            return plans;
        } finally {
            threads.shutdownNow();
        }
    }

    /** The text of every replica's published uses object. */
    private String publishedUses() {
        StringBuilder all = new StringBuilder();
        for (String key : s3.keys(PREFIX + "eviction/uses/")) {
            all.append(s3.client()
                    .getObjectAsBytes(r -> r.bucket(S3Server.BUCKET).key(key))
                    .asString(StandardCharsets.UTF_8));
        }
        return all.toString();
    }

    private static int upstreamGets(RegistryProcess registry, String digest) {
        return registry.count("GET", path -> path.endsWith("/blobs/" + digest));
    }

    private void copy(RunningWharf wharf, SeededImage image) {
        skopeo.copyToDir(
                        wharf.host() + "/" + UPSTREAM + "/" + image.reference(),
                        dir.resolve("pulled-" + System.nanoTime()))
                .requireSuccess();
    }

    private static String bounded(String every) {
        return "  maxSize: 8MiB\n  evictEvery: " + every + "\n  evictGrace: " + GRACE.toSeconds() + "s\n";
    }

    private static String yaml(RegistryProcess registry) {
        return RunningWharf.singleUpstream(UPSTREAM, registry);
    }

    private static String blobKey(String digest) {
        String hex = Digest.parse(digest).encoded();
        return PREFIX + "blobs/sha256/" + hex.substring(0, 2) + "/" + hex;
    }

    private static String tagKey(SeededImage image) {
        return PREFIX + "repositories/" + UPSTREAM + "/" + image.repository() + "/_tags/"
                + image.tags().get(0);
    }

    private static List<String> texts(JsonNode array, String field) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.path(field).asText()));
        return texts;
    }

    private JsonNode post(URI uri) {
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(uri)
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .timeout(Duration.ofSeconds(60))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            return JSON.readTree(response.body());
        } catch (Exception e) {
            throw new AssertionError("POST " + uri, e);
        }
    }

    private JsonNode get(URI uri) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    private String scrape(RunningWharf wharf) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(wharf.adminUrl().resolve("/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    /** Polls {@code condition} every 100 ms until it holds, failing after a minute. */
    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within a minute: " + what);
            }
            Thread.sleep(100);
        }
    }

    /** A client whose deletes of keys {@code fails} picks end the process, as far as the bucket can tell. */
    private static final class DeleteFailing implements S3Client {
        private final S3Client delegate;
        private final java.util.function.Predicate<String> fails;

        DeleteFailing(S3Client delegate, java.util.function.Predicate<String> fails) {
            this.delegate = delegate;
            this.fails = fails;
        }

        /** A client whose deletes first run {@code before} (which may hold them) and then happen. */
        static DeleteFailing holding(S3Client delegate, java.util.function.Consumer<String> before) {
            return new DeleteFailing(delegate, key -> {
                before.accept(key);
                return false;
            });
        }

        @Override
        public DeleteObjectResponse deleteObject(DeleteObjectRequest request) {
            if (fails.test(request.key())) {
                throw S3Exception.builder()
                        .message("the process died before deleting " + request.key())
                        .statusCode(599)
                        .build();
            }
            return delegate.deleteObject(request);
        }

        @Override
        public HeadObjectResponse headObject(HeadObjectRequest request) {
            return delegate.headObject(request);
        }

        @Override
        public <T> T getObject(GetObjectRequest request, ResponseTransformer<GetObjectResponse, T> transformer) {
            return delegate.getObject(request, transformer);
        }

        @Override
        public PutObjectResponse putObject(PutObjectRequest request, RequestBody body) {
            return delegate.putObject(request, body);
        }

        @Override
        public ListObjectsV2Response listObjectsV2(ListObjectsV2Request request) {
            return delegate.listObjectsV2(request);
        }

        @Override
        public String serviceName() {
            return delegate.serviceName();
        }

        @Override
        public void close() {
            // The server's own client stays open.
        }
    }
}
