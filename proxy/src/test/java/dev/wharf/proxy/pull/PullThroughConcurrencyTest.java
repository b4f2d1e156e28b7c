package dev.wharf.proxy.pull;

import static dev.wharf.proxy.pull.CountingUpstream.Call.BLOB;
import static dev.wharf.proxy.pull.CountingUpstream.Call.HEAD;
import static dev.wharf.proxy.pull.CountingUpstream.Call.MANIFEST;
import static dev.wharf.proxy.pull.PullFixture.DEFAULT_TTL;
import static dev.wharf.proxy.pull.PullFixture.bytes;
import static dev.wharf.proxy.pull.PullFixture.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.wharf.proxy.upstream.UpstreamException;
import dev.wharf.storage.Digest;
import dev.wharf.storage.LocalFillLeases;
import dev.wharf.storage.ManifestCache;
import dev.wharf.storage.StorageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(30)
class PullThroughConcurrencyTest {
    private static final int CALLERS = 16;
    private static final byte[] LAYER = bytes(300_000, 3);

    private final PullFixture f = new PullFixture();
    private final CountingUpstream upstream = f.upstream;
    private final ExecutorService pool = Executors.newFixedThreadPool(CALLERS);
    private final List<Thread> callers = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        upstream.release();
        pool.shutdownNow();
    }

    @Test
    void concurrentOpensOfOneColdBlobShareOneUpstreamFetch() throws Exception {
        Digest digest = upstream.blob(LAYER);
        upstream.hold();

        List<Future<byte[]>> results = startAll(() -> f.blob(digest));
        awaitAllParked(BLOB);
        upstream.release();

        for (Future<byte[]> result : results) {
            assertArrayEquals(LAYER, result.get(10, TimeUnit.SECONDS));
        }
        assertEquals(1, upstream.count(BLOB));
        assertEquals(0, f.store.pendingWrites());
        assertEquals(0, upstream.openBlobResponses());
    }

    @Test
    void concurrentResolvesOfOneColdTagShareOneUpstreamGet() throws Exception {
        Digest digest = upstream.tag("1.0", "{\"v\":1}");
        upstream.hold();

        List<Future<Manifest>> results = startAll(() -> f.manifest("1.0"));
        awaitAllParked(MANIFEST);
        upstream.release();

        for (Future<Manifest> result : results) {
            Manifest manifest = result.get(10, TimeUnit.SECONDS);
            assertEquals(digest, manifest.digest());
            assertEquals("{\"v\":1}", text(manifest));
        }
        assertEquals(1, upstream.count(MANIFEST));
        assertEquals(0, upstream.count(HEAD));
    }

    @Test
    void concurrentRechecksOfOneStaleTagShareOneHead() throws Exception {
        upstream.tag("1.0", "{\"v\":1}");
        f.manifest("1.0");
        f.clock.advance(DEFAULT_TTL);
        upstream.hold();

        List<Future<Manifest>> results = startAll(() -> f.manifest("1.0"));
        awaitAllParked(HEAD);
        upstream.release();

        for (Future<Manifest> result : results) {
            assertEquals("{\"v\":1}", text(result.get(10, TimeUnit.SECONDS)));
        }
        assertEquals(1, upstream.count(HEAD));
        assertEquals(1, upstream.count(MANIFEST));
    }

    @Test
    void aFailingBlobFillIsSeenByEveryWaiterAndTheNextOpenRetries() throws Exception {
        Digest digest = upstream.blob(LAYER);
        upstream.fail(UpstreamException.Kind.UNAVAILABLE);
        upstream.hold();

        List<Future<byte[]>> results = startAll(() -> f.blob(digest));
        awaitAllParked(BLOB);
        upstream.release();

        for (Future<byte[]> result : results) {
            UpstreamException e = assertInstanceOf(UpstreamException.class, failureOf(result));
            assertEquals(UpstreamException.Kind.UNAVAILABLE, e.kind());
        }
        assertEquals(1, upstream.count(BLOB));
        assertEquals(Optional.empty(), f.store.findSize(digest));

        upstream.heal();
        assertArrayEquals(LAYER, f.blob(digest));
        assertEquals(2, upstream.count(BLOB));
    }

    @Test
    void aCorruptBlobFillIsSeenByEveryWaiterAndNothingIsPublished() throws Exception {
        Digest digest = upstream.blob(LAYER);
        upstream.corruptBlobs(true);
        upstream.hold();

        List<Future<byte[]>> results = startAll(() -> f.blob(digest));
        awaitAllParked(BLOB);
        upstream.release();

        for (Future<byte[]> result : results) {
            StorageException e = assertInstanceOf(StorageException.class, failureOf(result));
            assertEquals(StorageException.Kind.CORRUPT, e.kind());
        }
        assertEquals(1, upstream.count(BLOB));
        assertEquals(Optional.empty(), f.store.findSize(digest));
        assertEquals(0, f.store.pendingWrites());
        assertEquals(0, upstream.openBlobResponses());
    }

    @Test
    void aFailingColdTagIsSeenByEveryWaiterAndTheNextResolveRetries() throws Exception {
        upstream.tag("1.0", "{\"v\":1}");
        upstream.fail(UpstreamException.Kind.UNAVAILABLE);
        upstream.hold();

        List<Future<Manifest>> results = startAll(() -> f.manifest("1.0"));
        awaitAllParked(MANIFEST);
        upstream.release();

        for (Future<Manifest> result : results) {
            UpstreamException e = assertInstanceOf(UpstreamException.class, failureOf(result));
            assertEquals(UpstreamException.Kind.UNAVAILABLE, e.kind());
        }
        assertEquals(1, upstream.count(MANIFEST));

        upstream.heal();
        assertEquals("{\"v\":1}", text(f.manifest("1.0")));
        assertEquals(2, upstream.count(MANIFEST));
    }

    /** A caller that saw the miss just before another caller's fill ended must not fetch a second time. */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aCallerThatMissedJustBeforeAFillEndedUsesThatFill(boolean byTag) throws Exception {
        Digest digest = upstream.tag("1.0", "{\"v\":1}");
        String reference = byTag ? "1.0" : digest.toString();
        PausingIndex index = new PausingIndex(f.index);
        PullThrough pull = new PullThrough(
                f.store,
                index,
                new ManifestCache(1 << 20),
                TestLanes.of("fake", upstream),
                Runnable::run,
                new LocalFillLeases(),
                PullSettings.of((target, tag) -> DEFAULT_TTL, f.clock, TestLanes.NEVER));
        index.arm();

        Future<Manifest> late = pool.submit(() -> Futures.join(pull.manifest(f.target, Reference.parse(reference))));
        assertTrue(index.awaitPaused(), "the late caller read the index");
        assertEquals("{\"v\":1}", text(Futures.join(pull.manifest(f.target, Reference.parse(reference)))));
        index.resume();

        assertEquals("{\"v\":1}", text(late.get(10, TimeUnit.SECONDS)));
        assertEquals(1, upstream.count(MANIFEST));
    }

    private <T> List<Future<T>> startAll(Callable<T> work) {
        List<Future<T>> results = new ArrayList<>();
        for (int i = 0; i < CALLERS; i++) {
            results.add(pool.submit(() -> {
                callers.add(Thread.currentThread());
                return work.call();
            }));
        }
        return results;
    }

    /**
     * Returns once one caller is inside the held upstream call and every caller is parked: the one in the upstream,
     * the others waiting for its outcome. A second upstream call would show in the counts the test asserts later.
     */
    private void awaitAllParked(CountingUpstream.Call call) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (upstream.count(call) < 1
                || callers.size() < CALLERS
                || !callers.stream().allMatch(t -> t.getState() == Thread.State.WAITING)) {
            if (System.nanoTime() > deadline) {
                fail("callers did not all park; upstream " + call + " calls: " + upstream.count(call));
            }
            Thread.onSpinWait();
        }
    }

    private static Throwable failureOf(Future<?> result) throws Exception {
        try {
            result.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        return fail("expected the call to fail");
    }
}
