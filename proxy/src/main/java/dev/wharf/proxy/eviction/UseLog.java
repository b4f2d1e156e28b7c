package dev.wharf.proxy.eviction;

import dev.wharf.proxy.pull.ServedDigests;
import dev.wharf.storage.CacheIndex;
import dev.wharf.storage.Digest;
import dev.wharf.storage.DigestEntry;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * When each digest was last served, recorded in memory (one map write per serve, no I/O) and written to the index's
 * {@link DigestEntry#lastAccess()} in batches by {@link #flush}, so that the order survives a restart without a write
 * per request. Thread-safe.
 */
public final class UseLog implements ServedDigests {
    private final Clock clock;
    private final ConcurrentHashMap<Digest, Instant> recent = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Digest, LongAdder> serves = new ConcurrentHashMap<>();

    public UseLog(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void served(Digest digest) {
        recent.put(digest, clock.instant());
        serves.computeIfAbsent(digest, d -> new LongAdder()).increment();
    }

    /** How often {@code digest} was served since start (not kept across restarts). */
    public long serves(Digest digest) {
        LongAdder count = serves.get(digest);
        return count == null ? 0 : count.sum();
    }

    /** The last serve recorded since the last flush; empty when none. */
    Optional<Instant> recent(Digest digest) {
        return Optional.ofNullable(recent.get(digest));
    }

    /**
     * Hands the serves recorded so far to {@code sink} and forgets them (a serve recorded meanwhile stays for the next
     * drain); for a store whose uses are kept elsewhere than the index. Run by one thread at a time.
     */
    void drain(java.util.function.BiConsumer<Digest, Instant> sink) {
        for (Map.Entry<Digest, Instant> use : recent.entrySet()) {
            sink.accept(use.getKey(), use.getValue());
            recent.remove(use.getKey(), use.getValue());
        }
    }

    /**
     * Writes the serves recorded so far into {@code index} (entries it does not hold are skipped, never created) and
     * forgets them; returns how many entries were written. Run by one thread at a time.
     */
    int flush(CacheIndex index) {
        int written = 0;
        for (Map.Entry<Digest, Instant> use : recent.entrySet()) {
            Digest digest = use.getKey();
            Instant at = use.getValue();
            Optional<DigestEntry> entry = index.findDigest(digest);
            if (entry.isPresent() && entry.get().lastAccess().isBefore(at)) {
                index.putDigest(
                        digest, new DigestEntry(entry.get().size(), entry.get().mediaType(), at));
                written++;
            }
            // A serve recorded meanwhile stays for the next flush.
            recent.remove(digest, at);
        }
        return written;
    }
}
