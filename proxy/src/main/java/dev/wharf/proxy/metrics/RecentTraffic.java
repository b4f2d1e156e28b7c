package dev.wharf.proxy.metrics;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The registry API's answers per minute over the last day, so that hit ratio and bytes saved can be shown for the last
 * 5 minutes, hour and day ({@link #WINDOWS}). A ring of 1,440 per-minute buckets: counting an answer is one atomic add
 * per figure into the current minute's bucket (replaced by one compare-and-set the first time a minute is counted), no
 * lock; reading a window sums its buckets. Fed by {@link RequestMetrics}, from the same calls as the Prometheus
 * counters, so both always agree on what a hit is. Kept in memory only: the windows start empty at every start.
 * Thread-safe.
 */
public final class RecentTraffic {
    /** The windows shown, shortest first. */
    public static final List<Duration> WINDOWS =
            List.of(Duration.ofMinutes(5), Duration.ofHours(1), Duration.ofDays(1));

    static final int MINUTES = 24 * 60;
    private static final long MINUTE_MS = 60_000;
    private static final int REQUESTS = 0;
    private static final int BYTES_FROM_CACHE = 1;
    private static final int BYTES_FROM_UPSTREAM = 2;
    // Then one count per outcome, in the order of RequestMetrics.OUTCOMES.
    private static final int FIRST_OUTCOME = 3;
    private static final int FIGURES = FIRST_OUTCOME + RequestMetrics.OUTCOMES.size();

    private static final class Bucket {
        final long minute;
        final AtomicLongArray counts = new AtomicLongArray(FIGURES);

        Bucket(long minute) {
            this.minute = minute;
        }
    }

    /**
     * What was answered within {@code length} up to now, to the minute: the current minute and the ones before it.
     * {@code hits}, {@code stale} and {@code coalesced} came from the cache; {@code misses} were fetched upstream for
     * the request. {@code requests} counts every answer of the registry API, errors and tag lists included.
     */
    public record Window(
            Duration length,
            long requests,
            long hits,
            long misses,
            long stale,
            long coalesced,
            long bytesFromCache,
            long bytesFromUpstream) {
        /** Manifests and blobs answered from the cache: hits, stale answers and coalesced joins. */
        public long fromCache() {
            return hits + stale + coalesced;
        }

        /** {@link #fromCache()} over every manifest and blob answered; empty when there was none. */
        public OptionalDouble hitRatio() {
            long all = fromCache() + misses;
            return all == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) fromCache() / all);
        }
    }

    private final Clock clock;
    private final Instant since;
    private final AtomicReferenceArray<Bucket> ring = new AtomicReferenceArray<>(MINUTES);

    /** Empty windows, reading the time from {@code clock}. */
    public RecentTraffic(Clock clock) {
        this.clock = clock;
        this.since = clock.instant();
    }

    /** When counting started (this process's start): no window reaches further back. */
    public Instant since() {
        return since;
    }

    /** Counts one answer of the registry API. */
    void served() {
        bucket().counts.incrementAndGet(REQUESTS);
    }

    /** Counts one manifest or blob answered with {@code outcome} (one of {@link RequestMetrics#OUTCOMES}). */
    void answered(int outcome, boolean fromUpstream, long bytes) {
        Bucket bucket = bucket();
        bucket.counts.incrementAndGet(FIRST_OUTCOME + outcome);
        if (bytes > 0) {
            bucket.counts.addAndGet(fromUpstream ? BYTES_FROM_UPSTREAM : BYTES_FROM_CACHE, bytes);
        }
    }

    /** The figures of the last {@code length} (whole minutes, at most a day). */
    public Window window(Duration length) {
        long minutes = Math.max(1, Math.min(MINUTES, length.toMinutes()));
        long now = minute();
        long[] sums = new long[FIGURES];
        for (long m = now - minutes + 1; m <= now; m++) {
            Bucket bucket = ring.get(slot(m));
            if (bucket != null && bucket.minute == m) {
                for (int f = 0; f < FIGURES; f++) {
                    sums[f] += bucket.counts.get(f);
                }
            }
        }
        List<String> outcomes = RequestMetrics.OUTCOMES;
        return new Window(
                Duration.ofMinutes(minutes),
                sums[REQUESTS],
                sums[FIRST_OUTCOME + outcomes.indexOf("hit")],
                sums[FIRST_OUTCOME + outcomes.indexOf("miss")],
                sums[FIRST_OUTCOME + outcomes.indexOf("stale")],
                sums[FIRST_OUTCOME + outcomes.indexOf("coalesced")],
                sums[BYTES_FROM_CACHE],
                sums[BYTES_FROM_UPSTREAM]);
    }

    /** Every window of {@link #WINDOWS}, shortest first. */
    public List<Window> windows() {
        return WINDOWS.stream().map(this::window).toList();
    }

    private long minute() {
        return Math.floorDiv(clock.millis(), MINUTE_MS);
    }

    private static int slot(long minute) {
        return (int) Math.floorMod(minute, (long) MINUTES);
    }

    /** The current minute's bucket; a clock that stepped back counts into the newer bucket its slot holds. */
    private Bucket bucket() {
        long minute = minute();
        int slot = slot(minute);
        while (true) {
            Bucket bucket = ring.get(slot);
            if (bucket != null && bucket.minute >= minute) {
                return bucket;
            }
            Bucket fresh = new Bucket(minute);
            if (ring.compareAndSet(slot, bucket, fresh)) {
                return fresh;
            }
        }
    }
}
