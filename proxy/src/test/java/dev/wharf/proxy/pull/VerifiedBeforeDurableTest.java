package dev.wharf.proxy.pull;

import static dev.wharf.proxy.pull.CountingUpstream.Call.BLOB;
import static dev.wharf.proxy.pull.PullFixture.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.proxy.http.WharfServer;
import dev.wharf.proxy.lab.TestClock;
import dev.wharf.proxy.metrics.RequestMetrics;
import dev.wharf.storage.Digest;
import dev.wharf.storage.ManifestCache;
import dev.wharf.storage.memory.MemoryBlobStore;
import dev.wharf.storage.memory.MemoryIndex;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A cold blob's last byte goes out once the fill's bytes are verified: clients do not wait for the store to make them
 * durable and publish them.
 */
@Timeout(30)
class VerifiedBeforeDurableTest {
    private static final byte[] LAYER = bytes(1_000_000, 5);

    private final MemoryBlobStore stored = new MemoryBlobStore();
    private final HeldCommitStore store = new HeldCommitStore(stored);
    private final CountingUpstream upstream = new CountingUpstream();
    private final ExecutorService workers = Executors.newFixedThreadPool(4);
    private WharfServer server;

    @BeforeEach
    void start() throws InterruptedException {
        PullThrough pull = new PullThrough(
                store,
                new MemoryIndex(),
                new ManifestCache(1 << 20),
                new Upstreams(Map.of("fake", upstream)),
                (target, tag) -> Duration.ofMinutes(1),
                new TestClock(Instant.parse("2030-01-01T00:00:00Z")));
        server = WharfServer.start(
                new InetSocketAddress("127.0.0.1", 0),
                host -> host.equals("fake") ? Optional.of("fake") : Optional.empty(),
                "fake",
                pull,
                workers,
                new RequestMetrics(new SimpleMeterRegistry(), List.of("fake")));
    }

    @AfterEach
    void stop() {
        store.releaseCommits();
        upstream.release();
        server.close();
        workers.shutdownNow();
    }

    @Test
    void everyByteArrivesWhileTheBlobIsNotYetDurable() throws Exception {
        Digest digest = upstream.blob(LAYER);
        String path = "/v2/library/app/blobs/" + digest;

        try (RawExchange first = RawExchange.send(server.address(), "GET", path);
                RawExchange joiner = RawExchange.send(server.address(), "GET", path)) {
            assertEquals(200, first.status());
            assertArrayEquals(LAYER, first.read(LAYER.length));
            assertEquals(200, joiner.status());
            assertArrayEquals(LAYER, joiner.read(LAYER.length));
        }
        assertEquals(Optional.empty(), stored.findSize(digest), "the commit is still held");

        store.releaseCommits();
        try (RawExchange later = RawExchange.send(server.address(), "GET", path)) {
            assertArrayEquals(LAYER, later.read(LAYER.length));
        }
        assertEquals(1, upstream.count(BLOB));
    }
}
