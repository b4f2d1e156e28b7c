package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.proxy.lab.Hashes;
import dev.wharf.proxy.lab.ImageSeeder;
import dev.wharf.proxy.lab.RegistryProcess;
import dev.wharf.proxy.lab.RunningWharf;
import dev.wharf.proxy.lab.Samples;
import dev.wharf.proxy.lab.SeededImage;
import dev.wharf.proxy.lab.Skopeo;
import dev.wharf.proxy.lab.Tmpfs;
import dev.wharf.proxy.lab.WharfPull;
import dev.wharf.proxy.upstream.RegistryClient;
import dev.wharf.storage.Digest;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bounded cache in front of the real registry: past {@code storage.maxSize} the least recently used image goes
 * whole while layers it shares with kept images, and pinned images, stay, and a client in the middle of pulling the
 * evicted image gets all of it; on a small filesystem eviction keeps {@code storage.minFree} free, and {@code
 * /readyz} says when it cannot.
 */
class EvictionIT {
    private static final String UPSTREAM = "up.test";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void pastTheQuotaTheLeastRecentlyUsedImageGoesWholeWhileAPullOfItCompletes(@TempDir Path data, @TempDir Path out)
            throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            ImageSeeder seeder = ImageSeeder.of(registry);
            SeededImage pinned = seeder.seedWithLayers("org/pinned", List.of("1"), List.of("pinned-only"));
            SeededImage big = seeder.seedLarge("org/big", "1", 24L << 20);
            SeededImage b = seeder.seedWithLayers("org/b", List.of("1"), List.of("base-1", "base-2", "b-only"));
            SeededImage c = seeder.seedWithLayers("org/c", List.of("1"), List.of("base-1", "base-2", "c-only"));
            SeededImage d = seeder.seedWithLayers("org/d", List.of("1"), List.of("base-1", "d-only"));
            String storage = "  maxSize: 8MiB\n  evictEvery: 1h\n";
            Digest pin = Digest.parse(pinned.manifestDigest());
            try (RunningWharf wharf =
                    RunningWharf.start(RunningWharf.singleUpstream(UPSTREAM, registry), data, storage, pin::equals)) {
                WharfPull.pull(wharf, UPSTREAM, pinned);

                // A client starts pulling the big image, and reads the first MiB of its layer.
                assertEquals(200, WharfPull.manifest(wharf, UPSTREAM, big).status());
                String layer = big.blobDigests().get(1);
                HttpResponse<InputStream> stream = http.send(
                        HttpRequest.newBuilder(blobUri(wharf, big, layer)).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                assertEquals(200, stream.statusCode());
                long size = stream.headers().firstValueAsLong("Content-Length").orElseThrow();
                MessageDigest hash = Hashes.sha256();
                InputStream body = stream.body();
                long read = readUpTo(body, hash, 1 << 20);
                Path stored = RunningWharf.storedBlob(data, Digest.parse(layer));
                waitFor(() -> Files.exists(stored), "the layer is filled and stored");

                // Other images, pulled by skopeo after it, sharing layers.
                Skopeo skopeo = new Skopeo();
                for (SeededImage image : List.of(b, c, d)) {
                    skopeo.copyToDir(
                                    wharf.host() + "/" + UPSTREAM + "/" + image.reference(),
                                    out.resolve(image.repository().replace('/', '-')))
                            .requireSuccess();
                }

                JsonNode plan = post(wharf.adminUrl().resolve("/eviction/run"));
                assertEquals(1, plan.path("images").size(), plan.toPrettyString());
                JsonNode evicted = plan.path("images").get(0);
                assertEquals(big.manifestDigest(), evicted.path("digest").asText(), "the least recently used");
                assertEquals("quota", evicted.path("reason").asText());
                assertEquals(List.of(UPSTREAM + "/org/big:1"), texts(evicted.path("tags")));
                assertTrue(plan.path("storedBytesAfter").asLong() <= 8L << 20, plan.toPrettyString());
                assertFalse(Files.exists(stored), "the layer's file is gone");
                assertFalse(Files.exists(RunningWharf.storedBlob(data, Digest.parse(big.manifestDigest()))));

                // The client in the middle of it still gets every byte.
                read += readUpTo(body, hash, Long.MAX_VALUE);
                body.close();
                assertEquals(size, read);
                assertEquals(layer, Hashes.finish(hash).toString());

                for (SeededImage kept : List.of(pinned, b, c, d)) {
                    for (String blob : kept.blobDigests()) {
                        assertTrue(
                                Files.exists(RunningWharf.storedBlob(data, Digest.parse(blob))),
                                blob + " of " + kept.reference() + " is kept");
                    }
                }
                registry.clearRequests();
                for (SeededImage kept : List.of(pinned, b, c, d)) {
                    WharfPull.pull(wharf, UPSTREAM, kept);
                }
                assertEquals(
                        0, registry.count("GET", path -> path.contains("/blobs/")), "kept images are served cached");
                WharfPull.pull(wharf, UPSTREAM, big);
                assertEquals(
                        2,
                        registry.count("GET", path -> path.contains("/blobs/")),
                        "the evicted image is fetched anew");

                String metrics = scrape(wharf);
                // The manifest and the layer: the client had not fetched the config yet.
                assertEquals(2, Samples.value(metrics, "wharf_evictions_total{reason=\"quota\"}"), metrics);
                assertEquals(8L << 20, Samples.value(metrics, "wharf_storage_quota_bytes"), metrics);
            }
        }
    }

    @Test
    void onASmallFilesystemEvictionKeepsTheFreeSpaceFloorAndReadinessSaysWhenItCannot(@TempDir Path dir)
            throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        try (Tmpfs small = Tmpfs.mount(data, "size=64m");
                RegistryProcess registry = RegistryProcess.anonymous()) {
            ImageSeeder seeder = ImageSeeder.of(registry);
            List<SeededImage> images = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                images.add(seeder.seedLarge("org/large" + i, "1", 12L << 20));
            }
            long minFree = 24L << 20;
            String storage = "  minFree: 24MiB\n  evictEvery: 200ms\n";
            try (RunningWharf wharf =
                    RunningWharf.start(RunningWharf.singleUpstream(UPSTREAM, registry), small.directory(), storage)) {
                for (SeededImage image : images) {
                    WharfPull.pull(wharf, UPSTREAM, image);
                }
                Path first = RunningWharf.storedBlob(
                        data, Digest.parse(images.get(0).blobDigests().get(1)));
                waitFor(() -> !Files.exists(first), "the least recently used image is evicted for free space");
                waitFor(() -> free(data) >= minFree, "the floor is kept");
                for (SeededImage kept : images.subList(1, 3)) {
                    assertTrue(Files.exists(RunningWharf.storedBlob(data, Digest.parse(kept.manifestDigest()))));
                }
                assertEquals(200, get(wharf.adminUrl().resolve("/readyz")).statusCode());

                // Something else fills the filesystem: evicting everything cannot bring the floor back.
                // Sized so that, with every image evicted, half the floor is left.
                long stored = JSON.readTree(
                                get(wharf.adminUrl().resolve("/cache")).body())
                        .path("storedBytes")
                        .asLong();
                Path filler = data.resolve("filler");
                fill(filler, free(data) + stored - minFree / 2);
                waitFor(
                        () -> get(wharf.adminUrl().resolve("/readyz")).statusCode() == 503,
                        "readiness fails below the floor");
                String reason = get(wharf.adminUrl().resolve("/readyz")).body();
                assertTrue(reason.contains("below storage.minFree (" + minFree + " bytes)"), reason);
                assertEquals(200, get(wharf.adminUrl().resolve("/healthz")).statusCode());

                Files.delete(filler);
                waitFor(() -> get(wharf.adminUrl().resolve("/readyz")).statusCode() == 200, "ready again");
                String metrics = scrape(wharf);
                assertTrue(Samples.value(metrics, "wharf_evictions_total{reason=\"free_space\"}") >= 3, metrics);
            }
        }
    }

    /**
     * Grows {@code file} to {@code bytes} a MiB at a time; where the filesystem is full, waits for eviction to make
     * room (failing after a minute).
     */
    private static void fill(Path file, long bytes) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        byte[] chunk = new byte[1 << 20];
        try (var out = java.nio.channels.FileChannel.open(
                file, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
            while (out.size() < bytes) {
                long at = out.size();
                try {
                    out.write(java.nio.ByteBuffer.wrap(chunk), at);
                } catch (java.io.IOException full) {
                    out.truncate(at);
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("eviction made no room for " + file, full);
                    }
                    Thread.sleep(100);
                }
            }
        }
    }

    private static long free(Path dir) {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long readUpTo(InputStream in, MessageDigest hash, long limit) throws Exception {
        byte[] buffer = new byte[64 * 1024];
        long read = 0;
        while (read < limit) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - read));
            if (n < 0) {
                break;
            }
            hash.update(buffer, 0, n);
            read += n;
        }
        return read;
    }

    /** Polls {@code condition} every 100 ms until it holds, failing after a minute. */
    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT + ": " + what);
            }
            Thread.sleep(100);
        }
    }

    private static URI blobUri(RunningWharf wharf, SeededImage image, String digest) {
        return wharf.url().resolve("/v2/" + UPSTREAM + "/" + image.repository() + "/blobs/" + digest);
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }

    private JsonNode post(URI uri) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(uri)
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .timeout(WAIT)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> get(URI uri) {
        try {
            return http.send(
                    HttpRequest.newBuilder(uri)
                            .header("Accept", RegistryClient.manifestAcceptHeader())
                            .timeout(WAIT)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError("GET " + uri + " failed", e);
        }
    }

    private String scrape(RunningWharf wharf) {
        return get(wharf.adminUrl().resolve("/metrics")).body();
    }
}
