package dev.wharf.proxy.pull;

import static dev.wharf.proxy.pull.CountingUpstream.Call.BLOB;
import static dev.wharf.proxy.pull.PullFixture.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.http.WharfServer;
import dev.wharf.proxy.metrics.RequestMetrics;
import dev.wharf.storage.Digest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Cold blobs stream to clients over HTTP while their one fill is still downloading. */
@Timeout(30)
class StreamingFillTest {
    private static final byte[] LAYER = bytes(1_000_000, 11);
    /** Where the upstream's body stops until released: well past the first bytes, well before the end. */
    private static final int STALL = 600_000;

    private final PullFixture f = new PullFixture();
    private final CountingUpstream upstream = f.upstream;
    private final ExecutorService workers = Executors.newFixedThreadPool(4);
    private WharfServer server;
    private Digest digest;
    private String path;

    @BeforeEach
    void start() throws InterruptedException {
        server = WharfServer.start(
                new InetSocketAddress("127.0.0.1", 0),
                host -> host.equals("fake") ? Optional.of("fake") : Optional.empty(),
                "fake",
                f.pull,
                workers,
                new RequestMetrics(new SimpleMeterRegistry(), List.of("fake")));
        digest = upstream.blob(LAYER);
        path = "/v2/library/app/blobs/" + digest;
        upstream.stallBodiesAt(STALL);
    }

    @AfterEach
    void stop() {
        upstream.releaseBodies();
        upstream.release();
        server.close();
        workers.shutdownNow();
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
            assertEquals(Optional.empty(), f.store.findSize(digest), "the fill is not finished yet");

            upstream.releaseBodies();
            for (RawExchange client : new RawExchange[] {first, joiner}) {
                assertArrayEquals(Arrays.copyOfRange(LAYER, 500_000, LAYER.length), client.readRest(500_000));
            }
        }
        assertEquals(1, upstream.count(BLOB));
        assertEquals(Optional.of((long) LAYER.length), f.store.findSize(digest));
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

        assertArrayEquals(LAYER, f.blob(digest));
        assertEquals(1, upstream.count(BLOB));
        assertEquals(Optional.of((long) LAYER.length), f.store.findSize(digest));
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
        assertEquals(Optional.empty(), f.store.findSize(digest));
        assertEquals(0, f.store.pendingWrites());
    }

    private RawExchange get(String... headers) throws IOException {
        return RawExchange.send(server.address(), "GET", path, headers);
    }
}
