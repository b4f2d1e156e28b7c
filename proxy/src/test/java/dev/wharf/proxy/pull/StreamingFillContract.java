package dev.wharf.proxy.pull;

import static dev.wharf.proxy.pull.CountingUpstream.Call.BLOB;
import static dev.wharf.proxy.pull.PullFixture.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.config.ServerLimits;
import dev.wharf.proxy.http.AccessLog;
import dev.wharf.proxy.http.WharfServer;
import dev.wharf.proxy.lab.RecordingAccessLog;
import dev.wharf.proxy.lab.TestClock;
import dev.wharf.proxy.metrics.RequestMetrics;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.Digest;
import dev.wharf.storage.LocalFillLeases;
import dev.wharf.storage.ManifestCache;
import dev.wharf.storage.RepositoryName;
import dev.wharf.storage.memory.MemoryIndex;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cold blobs stream to clients over HTTP while their one fill is still downloading: from memory (chunks read into
 * buffers) and from disk (chunks sent by sendfile from the growing temp file).
 */
@Timeout(30)
abstract class StreamingFillContract {
    private static final byte[] LAYER = bytes(1_000_000, 11);
    /** Where the upstream's body stops until released: well past the first bytes, well before the end. */
    private static final int STALL = 600_000;

    private final CountingUpstream upstream = new CountingUpstream();
    private final ExecutorService workers = Executors.newFixedThreadPool(4);
    private final RecordingAccessLog accessLog = new RecordingAccessLog();
    private BlobStore store;
    private HeldCommitStore held;
    private PullThrough pull;
    private WharfServer server;
    private Digest digest;
    private String path;

    /** The store the fills write to, opened in {@code dir} when it needs one. */
    abstract BlobStore openStore(Path dir);

    /** Writes started in the store and neither published nor discarded. */
    abstract int pendingWrites();

    @BeforeEach
    void start(@TempDir Path dir) throws InterruptedException {
        store = openStore(dir);
        held = new HeldCommitStore(store);
        pull = new PullThrough(
                held,
                new MemoryIndex(),
                new ManifestCache(1 << 20),
                TestLanes.of("fake", upstream),
                workers,
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
                workers,
                new RequestMetrics(new SimpleMeterRegistry(), List.of("fake")),
                accessLog,
                ServerLimits.DEFAULT);
        digest = upstream.blob(LAYER);
        path = "/v2/library/app/blobs/" + digest;
        upstream.stallBodiesAt(STALL);
    }

    @AfterEach
    void stop() {
        held.releaseCommits();
        upstream.releaseBodies();
        upstream.release();
        server.close();
        workers.shutdownNow();
        store.close();
    }

    @Test
    void aJoinerReceivesBytesWhileTheUpstreamIsStillHeld() throws Exception {
        try (RawExchange first = get();
                RawExchange joiner = get()) {
            for (RawExchange client : new RawExchange[] {first, joiner}) {
                assertEquals(200, client.status());
                assertEquals(LAYER.length, client.contentLength());
                assertArrayEquals(Arrays.copyOf(LAYER, 500_000), client.read(500_000));
            }
            assertEquals(Optional.empty(), store.findSize(digest), "the fill is not finished yet");

            upstream.releaseBodies();
            for (RawExchange client : new RawExchange[] {first, joiner}) {
                assertArrayEquals(Arrays.copyOfRange(LAYER, 500_000, LAYER.length), client.readRest(500_000));
            }
        }
        awaitStored();
        assertEquals(1, upstream.count(BLOB));
        assertEquals(Optional.of((long) LAYER.length), store.findSize(digest));
        for (AccessLog.Entry entry : accessLog.take(2)) {
            assertEquals("GET", entry.method());
            assertEquals(path, entry.uri());
            assertEquals(
                    "127.0.0.1",
                    ((InetSocketAddress) entry.remote()).getAddress().getHostAddress());
            assertEquals(200, entry.status());
            assertEquals(LAYER.length, entry.bytes());
            assertTrue(entry.complete(), entry.toString());
        }
    }

    @Test
    void everyByteArrivesWhileTheBlobIsNotYetDurable() throws Exception {
        upstream.releaseBodies();
        held.holdCommits();
        try (RawExchange first = get();
                RawExchange joiner = get()) {
            assertEquals(200, first.status());
            assertArrayEquals(LAYER, first.read(LAYER.length));
            assertEquals(200, joiner.status());
            assertArrayEquals(LAYER, joiner.read(LAYER.length));
        }
        assertEquals(Optional.empty(), store.findSize(digest), "the commit is still held");

        held.releaseCommits();
        try (RawExchange later = get()) {
            assertArrayEquals(LAYER, later.read(LAYER.length));
        }
        awaitStored();
        assertEquals(Optional.of((long) LAYER.length), store.findSize(digest));
        assertEquals(1, upstream.count(BLOB));
    }

    /**
     * Ranges are served from the fill's bytes as they land, but the last byte of every response waits for the fill's
     * verification, so even a range is never complete before its blob is known good.
     */
    @Test
    void aRangeDuringAFillIsAnsweredFromTheFill() throws Exception {
        try (RawExchange early = get("Range: bytes=1000-1999");
                RawExchange late = get("Range: bytes=700000-700099")) {
            assertEquals(206, early.status());
            assertEquals("bytes 1000-1999/" + LAYER.length, early.header("Content-Range"));
            assertArrayEquals(Arrays.copyOfRange(LAYER, 1000, 1999), early.read(999), "landed bytes flow at once");
            assertEquals(206, late.status());
            assertEquals("bytes 700000-700099/" + LAYER.length, late.header("Content-Range"));
            assertEquals(100, late.contentLength());

            upstream.releaseBodies();
            assertArrayEquals(new byte[] {LAYER[1999]}, early.read(1));
            assertArrayEquals(Arrays.copyOfRange(LAYER, 700_000, 700_100), late.read(100));
        }
        assertEquals(1, upstream.count(BLOB));
    }

    @Test
    void aHeadDuringAFillAnswersWithTheSize() throws Exception {
        try (RawExchange filling = get();
                RawExchange head = RawExchange.send(server.address(), "HEAD", path)) {
            assertEquals(200, filling.status());
            assertEquals(200, head.status());
            assertEquals(LAYER.length, head.contentLength());
            assertEquals(digest.toString(), head.header("Docker-Content-Digest"));
        }
        assertEquals(1, upstream.count(BLOB));
    }

    @Test
    void aClientThatLeavesDoesNotAbortTheFill() throws Exception {
        try (RawExchange leaving = get()) {
            assertArrayEquals(Arrays.copyOf(LAYER, 100_000), leaving.read(100_000));
        }
        upstream.releaseBodies();

        try (RawExchange later = get()) {
            assertArrayEquals(LAYER, later.read(LAYER.length));
        }
        awaitStored();
        assertEquals(1, upstream.count(BLOB));
        assertEquals(Optional.of((long) LAYER.length), store.findSize(digest));
    }

    @Test
    void anIntegrityFailureClosesEveryWaiterShort() throws Exception {
        upstream.corruptBlobs(true);
        try (RawExchange first = get();
                RawExchange joiner = get()) {
            for (RawExchange client : new RawExchange[] {first, joiner}) {
                assertEquals(200, client.status());
                assertEquals(LAYER.length, client.contentLength());
            }
            upstream.releaseBodies();
            for (RawExchange client : new RawExchange[] {first, joiner}) {
                byte[] received = client.readRest(0);
                assertTrue(
                        received.length < LAYER.length,
                        "closed short: " + received.length + " of " + LAYER.length + " bytes");
            }
        }
        assertEquals(1, upstream.count(BLOB));
        assertEquals(Optional.empty(), store.findSize(digest));
        assertEquals(0, pendingWrites());
        for (AccessLog.Entry entry : accessLog.take(2)) {
            assertEquals(200, entry.status());
            assertEquals(LAYER.length, entry.bytes());
            assertFalse(entry.complete(), "a response closed short is logged as incomplete: " + entry);
        }
    }

    /** Waits until the blob's fill, if one is still under way, has published it. */
    private void awaitStored() {
        try (BlobSource source =
                Futures.join(pull.openBlob(new Target("fake", RepositoryName.parse("library/app")), digest))) {
            if (source instanceof BlobSource.Filling filling) {
                filling.fill().awaitStored().close();
            }
        }
    }

    private RawExchange get(String... headers) throws IOException {
        return RawExchange.send(server.address(), "GET", path, headers);
    }
}
