package dev.wharf.proxy.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.lab.TestClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RecentTrafficTest {
    private static final Duration FIVE_MINUTES = Duration.ofMinutes(5);
    private static final Duration HOUR = Duration.ofHours(1);
    private static final Duration DAY = Duration.ofDays(1);

    private final TestClock clock = new TestClock(Instant.parse("2026-11-26T10:00:30Z"));
    private final RecentTraffic traffic = new RecentTraffic(clock);
    private final RequestMetrics metrics = new RequestMetrics(new SimpleMeterRegistry(), List.of("docker.io"), traffic);

    @Test
    void anAnswerLeavesTheFiveMinuteWindowButStaysInTheHourAndTheDay() {
        metrics.answered(RequestMetrics.Kind.BLOB, "hit", 1000);
        metrics.served(RequestMetrics.Kind.BLOB, 200);
        assertEquals(1, traffic.window(FIVE_MINUTES).hits());
        assertEquals(1000, traffic.window(FIVE_MINUTES).bytesFromCache());

        clock.advance(Duration.ofMinutes(4));
        assertEquals(1, traffic.window(FIVE_MINUTES).hits(), "4 minutes later: still within 5");
        clock.advance(Duration.ofMinutes(1));
        RecentTraffic.Window five = traffic.window(FIVE_MINUTES);
        assertEquals(0, five.hits(), "5 minutes later: out of the 5-minute window");
        assertEquals(0, five.requests());
        assertEquals(0, five.bytesFromCache());
        assertTrue(five.hitRatio().isEmpty());
        assertEquals(1, traffic.window(HOUR).hits());
        assertEquals(1, traffic.window(HOUR).requests());
        assertEquals(1000, traffic.window(HOUR).bytesFromCache());

        clock.advance(Duration.ofMinutes(55));
        assertEquals(0, traffic.window(HOUR).hits(), "an hour later: out of the hour");
        assertEquals(1, traffic.window(DAY).hits());
        clock.advance(Duration.ofHours(23));
        assertEquals(0, traffic.window(DAY).hits(), "a day later: gone");
    }

    @Test
    void eachOutcomeAndItsBytesAreCountedWhereTheCountersCountThem() {
        metrics.answered(RequestMetrics.Kind.MANIFEST, "miss", 500);
        metrics.answered(RequestMetrics.Kind.MANIFEST, "hit", 500);
        metrics.answered(RequestMetrics.Kind.MANIFEST, "stale", 400);
        metrics.answered(RequestMetrics.Kind.BLOB, "coalesced", 7000);
        metrics.answered(RequestMetrics.Kind.BLOB, "miss", 7000);
        metrics.answered(RequestMetrics.Kind.BLOB, "hit", 0); // a HEAD
        RecentTraffic.Window w = traffic.window(FIVE_MINUTES);
        assertEquals(2, w.hits());
        assertEquals(1, w.stale());
        assertEquals(1, w.coalesced());
        assertEquals(2, w.misses());
        assertEquals(4, w.fromCache());
        assertEquals(4.0 / 6, w.hitRatio().getAsDouble(), 1e-9);
        assertEquals(500 + 400 + 7000, w.bytesFromCache());
        assertEquals(500 + 7000, w.bytesFromUpstream());
    }

    @Test
    void aSlotIsReusedADayLaterWithoutTheOldMinutesFigures() {
        metrics.answered(RequestMetrics.Kind.BLOB, "miss", 10);
        clock.advance(DAY);
        metrics.answered(RequestMetrics.Kind.BLOB, "hit", 3);
        RecentTraffic.Window day = traffic.window(DAY);
        assertEquals(0, day.misses(), "the same slot, a day later: the old minute is gone");
        assertEquals(1, day.hits());
        assertEquals(3, day.bytesFromCache());
        assertEquals(0, day.bytesFromUpstream());
    }

    @Test
    void concurrentAnswersAcrossAMinuteBoundaryAreAllCounted() throws Exception {
        int threads = 4;
        int each = 20_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        try {
            for (int t = 0; t < threads; t++) {
                pool.execute(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    for (int i = 0; i < each; i++) {
                        metrics.answered(RequestMetrics.Kind.BLOB, "hit", 1);
                    }
                });
            }
            go.countDown();
            clock.advance(Duration.ofSeconds(45)); // into the next minute while they count
        } finally {
            pool.shutdown();
            assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
        }
        RecentTraffic.Window w = traffic.window(FIVE_MINUTES);
        assertEquals((long) threads * each, w.hits());
        assertEquals((long) threads * each, w.bytesFromCache());
    }
}
