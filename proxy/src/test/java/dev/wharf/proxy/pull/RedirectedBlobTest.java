package dev.wharf.proxy.pull;

import static dev.wharf.proxy.pull.CountingUpstream.Call.BLOB;
import static dev.wharf.proxy.pull.PullFixture.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.config.ServerLimits;
import dev.wharf.proxy.http.AccessLog;
import dev.wharf.proxy.http.WharfServer;
import dev.wharf.proxy.lab.TestClock;
import dev.wharf.proxy.metrics.RequestMetrics;
import dev.wharf.storage.BlobContent;
import dev.wharf.storage.BlobReader;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.BlobWriter;
import dev.wharf.storage.Digest;
import dev.wharf.storage.LocalFillLeases;
import dev.wharf.storage.ManifestCache;
import dev.wharf.storage.memory.MemoryBlobStore;
import dev.wharf.storage.memory.MemoryIndex;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A store that hands clients a URL of its own (as S3 with presigned URLs does): GET is redirected, HEAD answered. */
class RedirectedBlobTest {
    private static final byte[] LAYER = bytes(300_000, 5);

    /** Memory storage whose stored blobs open as redirects to {@code https://bucket.example/<digest>?signature}. */
    private static final class RedirectingStore implements BlobStore {
        private final MemoryBlobStore store = new MemoryBlobStore();

        @Override
        public Optional<BlobContent> openContent(Digest digest) {
            return store.findSize(digest)
                    .map(size -> new BlobContent.Redirect(
                            URI.create("https://bucket.example/" + digest.encoded() + "?X-Amz-Signature=s"), size));
        }

        @Override
        public Optional<BlobReader> open(Digest digest) {
            return store.open(digest);
        }

        @Override
        public Optional<Long> findSize(Digest digest) {
            return store.findSize(digest);
        }

        @Override
        public BlobWriter create(Digest expected, long expectedSize) {
            return store.create(expected, expectedSize);
        }

        @Override
        public void delete(Digest digest) {
            store.delete(digest);
        }

        @Override
        public void close() {
            store.close();
        }
    }

    private final CountingUpstream upstream = new CountingUpstream();
    private final RedirectingStore store = new RedirectingStore();
    private WharfServer server;
    private String path;

    @BeforeEach
    void start() throws InterruptedException {
        PullThrough pull = new PullThrough(
                store,
                new MemoryIndex(),
                new ManifestCache(1 << 20),
                TestLanes.of("fake", upstream),
                Runnable::run,
                new LocalFillLeases(),
                PullSettings.of(
                        (target, tag) -> Duration.ofMinutes(1),
                        new TestClock(Instant.parse("2030-01-01T00:00:00Z")),
                        TestLanes.NEVER));
        server = WharfServer.start(
                new InetSocketAddress("127.0.0.1", 0),
                host -> host.equals("fake") ? Optional.of("fake") : Optional.empty(),
                "fake",
                pull,
                Runnable::run,
                new RequestMetrics(new SimpleMeterRegistry(), List.of("fake")),
                AccessLog.OFF,
                ServerLimits.DEFAULT);
        path = "/v2/library/app/blobs/" + upstream.blob(LAYER);
    }

    @AfterEach
    void stop() {
        server.close();
        store.close();
    }

    @Test
    void aStoredBlobIsRedirectedToTheStoresUrlAndItsHeadAnsweredHere() throws Exception {
        try (RawExchange first = RawExchange.send(server.address(), "GET", path)) {
            assertEquals(200, first.status(), "a miss streams from the fill");
            first.read(LAYER.length);
        }
        awaitStored();

        try (RawExchange get = RawExchange.send(server.address(), "GET", path, "Range: bytes=0-99")) {
            assertEquals(307, get.status());
            assertEquals(
                    "https://bucket.example/" + Digest.sha256(LAYER).encoded() + "?X-Amz-Signature=s",
                    get.header("Location"));
            assertEquals(Digest.sha256(LAYER).toString(), get.header("Docker-Content-Digest"));
            assertEquals(0, get.contentLength());
        }
        try (RawExchange head = RawExchange.send(server.address(), "HEAD", path)) {
            assertEquals(200, head.status());
            assertEquals(LAYER.length, head.contentLength());
        }
        assertEquals(1, upstream.count(BLOB));
    }

    private void awaitStored() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (store.findSize(Digest.sha256(LAYER)).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the fill never published the blob");
            }
            Thread.sleep(5);
        }
    }
}
