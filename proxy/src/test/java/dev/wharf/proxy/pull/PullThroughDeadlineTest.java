package dev.wharf.proxy.pull;

import static dev.wharf.proxy.pull.CountingUpstream.Call.BLOB;
import static dev.wharf.proxy.pull.CountingUpstream.Call.HEAD;
import static dev.wharf.proxy.pull.CountingUpstream.Call.MANIFEST;
import static dev.wharf.proxy.pull.PullFixture.DEFAULT_TTL;
import static dev.wharf.proxy.pull.PullFixture.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.config.Defaults;
import dev.wharf.storage.Digest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A due re-check that does not answer in time: the cached manifest is served stale and the re-check goes on. */
class PullThroughDeadlineTest {
    private static final Duration DEADLINE = Duration.ofSeconds(2);

    /** Deadlines that pass when the test says so. */
    private static final class ManualScheduler implements Scheduler {
        private final List<Runnable> due = new ArrayList<>();
        private final List<Duration> delays = new ArrayList<>();

        @Override
        public synchronized Runnable after(Duration delay, Runnable action) {
            delays.add(delay);
            due.add(action);
            return () -> {
                synchronized (this) {
                    due.remove(action);
                }
            };
        }

        synchronized int pending() {
            return due.size();
        }

        void pass() {
            List<Runnable> now;
            synchronized (this) {
                now = List.copyOf(due);
                due.clear();
            }
            now.forEach(Runnable::run);
        }

        synchronized List<Duration> delays() {
            return List.copyOf(delays);
        }
    }

    private final ManualScheduler scheduler = new ManualScheduler();
    private final PullFixture f =
            new PullFixture(1 << 20, Defaults.MAX_STALE, GoneTags.SERVE, RateBudget.UNLIMITED, scheduler, DEADLINE);
    private final CountingUpstream upstream = f.upstream;

    @AfterEach
    void release() {
        upstream.release();
    }

    @Test
    void aRecheckPastTheDeadlineServesTheCachedManifestStaleAndLaterUpdatesTheTag() throws Exception {
        upstream.tag("1.0", "{\"v\":1}");
        f.manifest("1.0");
        f.clock.advance(DEFAULT_TTL);
        upstream.hold();

        CompletableFuture<Manifest> pending = f.pull.manifest(f.target, Reference.parse("1.0"));
        assertFalse(pending.isDone(), "the client waits for the re-check until the deadline");
        assertEquals(List.of(DEADLINE), scheduler.delays());
        scheduler.pass();

        Manifest stale = pending.get(10, TimeUnit.SECONDS);
        assertEquals("{\"v\":1}", text(stale));
        assertEquals(Optional.of("stale: upstream fake did not answer in 2000 ms"), stale.staleWarning());

        upstream.tag("1.0", "{\"v\":2}");
        upstream.release();
        Manifest updated = awaitText("{\"v\":2}");
        assertFalse(updated.stale());
        assertEquals(1, upstream.count(HEAD), "the background re-check, and no other");
        assertEquals(2, upstream.count(MANIFEST));
    }

    @Test
    void aReferrersRecheckPastTheDeadlineServesTheCachedIndexStale() throws Exception {
        Digest subject = Digest.sha256(new byte[] {7});
        String index = "{\"schemaVersion\":2,\"manifests\":[]}";
        upstream.referrers(subject, index);
        f.referrers(subject, Optional.empty());
        f.clock.advance(DEFAULT_TTL);
        upstream.hold();

        CompletableFuture<Referrers> pending = f.pull.referrers(f.target, subject, Optional.empty());
        assertFalse(pending.isDone(), "the client waits for the re-check until the deadline");
        scheduler.pass();

        Referrers stale = pending.get(10, TimeUnit.SECONDS);
        assertEquals(index, new String(stale.body(), StandardCharsets.UTF_8));
        assertEquals(Optional.of("stale: upstream fake did not answer in 2000 ms"), stale.staleWarning());
    }

    @Test
    void aRecheckWithinTheDeadlineIsAnsweredAsUsual() {
        upstream.tag("1.0", "{\"v\":1}");
        f.manifest("1.0");
        f.clock.advance(DEFAULT_TTL);
        upstream.tag("1.0", "{\"v\":2}");

        Manifest served = f.manifest("1.0");

        // The deadline is cancelled on the thread that completed the answer, just after the caller may see it.
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (scheduler.pending() > 0 && System.nanoTime() < until) {
            Thread.onSpinWait();
        }
        assertEquals(0, scheduler.pending(), "an answer in time cancels its deadline");
        assertEquals(List.of(DEADLINE), scheduler.delays());
        assertEquals("{\"v\":2}", text(served));
        assertFalse(served.stale());
    }

    @Test
    void anUncachedTagHasNoDeadline() {
        upstream.tag("1.0", "{\"v\":1}");
        upstream.hold();

        CompletableFuture<Manifest> pending = f.pull.manifest(f.target, Reference.parse("1.0"));
        scheduler.pass();

        assertFalse(pending.isDone(), "nothing cached to serve: the client waits for the upstream");
        assertEquals(List.of(), scheduler.delays());
        upstream.release();
        assertEquals("{\"v\":1}", text(pending.join()));
    }

    @Test
    void aTagPastMaxStaleWaitsForTheRecheck() {
        upstream.tag("1.0", "{\"v\":1}");
        f.manifest("1.0");
        f.clock.advance(Defaults.MAX_STALE.plusSeconds(1));
        upstream.hold();

        CompletableFuture<Manifest> pending = f.pull.manifest(f.target, Reference.parse("1.0"));
        scheduler.pass();

        assertFalse(pending.isDone(), "too old to be served stale");
        upstream.release();
        assertFalse(pending.join().stale());
    }

    @Test
    void aBlobRequestWithdrawnBeforeItsFillStartsNeverReachesTheUpstream() {
        PullFixture queued = new PullFixture(1 << 20, Duration.ofDays(1), GoneTags.SERVE, RateBudget.UNLIMITED);
        QueuedLane lane = new QueuedLane();
        PullThrough pull = queued.pullOn(lane);
        byte[] layer = PullFixture.bytes(1 << 20, 3);
        var digest = queued.upstream.blob(layer);

        CompletableFuture<BlobSource> gone = pull.openBlob(queued.target, digest);
        gone.cancel(false);
        lane.runAll();

        assertEquals(0, queued.upstream.count(BLOB), "nobody waited: no upstream request");
        assertTrue(queued.store.findSize(digest).isEmpty());
        CompletableFuture<BlobSource> later = pull.openBlob(queued.target, digest);
        lane.runAll();
        later.join().close();
        assertEquals(1, queued.upstream.count(BLOB), "a later client fetches it");
    }

    @Test
    void aManifestRequestWithdrawnBeforeItsFetchStartsNeverReachesTheUpstream() {
        PullFixture queued = new PullFixture(1 << 20, Duration.ofDays(1), GoneTags.SERVE, RateBudget.UNLIMITED);
        QueuedLane lane = new QueuedLane();
        PullThrough pull = queued.pullOn(lane);
        queued.upstream.tag("1.0", "{\"v\":1}");

        CompletableFuture<Manifest> gone = pull.manifest(queued.target, Reference.parse("1.0"));
        gone.cancel(false);
        lane.runAll();

        assertEquals(0, queued.upstream.total(), "nobody waited: no upstream request");
    }

    private Manifest awaitText(String expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            CompletableFuture<Manifest> pending = f.pull.manifest(f.target, Reference.parse("1.0"));
            scheduler.pass();
            Manifest served = pending.join();
            if (text(served).equals(expected)) {
                return served;
            }
            assertTrue(System.nanoTime() < deadline, "the tag never moved to " + expected);
            Thread.sleep(5);
        }
    }
}
