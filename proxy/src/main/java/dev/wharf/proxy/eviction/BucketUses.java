package dev.wharf.proxy.eviction;

import dev.wharf.storage.CacheIndex;
import dev.wharf.storage.Digest;
import dev.wharf.storage.s3.BucketListing;
import dev.wharf.storage.s3.S3EvictionStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last serves of a bucket's digests as all replicas saw them, and the digests any replica pins. This replica's
 * serves, recorded in memory by {@link UseLog}, are gathered here and written whole into its own object ({@code
 * eviction/uses/REPLICA}: per digest served, the digest, a tab and epoch milliseconds; per digest of its own index
 * that it pins (prewarmed), {@code pin}, a tab and the digest) by {@link #publish}, every {@code checkEvery}, never
 * once per request; {@link #merged} reads every replica's object and keeps the latest serve of each digest and every
 * pin. Thread-safe: writes
 * of this replica's object never overlap, so a later write never carries an older snapshot.
 */
final class BucketUses {
    private static final Logger LOG = LoggerFactory.getLogger(BucketUses.class);
    /** The most serves a replica publishes (about 9 MB), the latest kept. */
    static final int MAX_USES = 100_000;

    private final S3EvictionStore store;
    private final UseLog log;
    private final Clock clock;
    private final Map<Digest, Instant> mine = new ConcurrentHashMap<>();
    private final PinnedImages pins;
    private final CacheIndex local;
    private volatile Set<Digest> myPins = Set.of();

    /** What {@link #merged} read: the latest serve of each digest, and the digests some replica pins. */
    record Merged(Map<Digest, Instant> uses, Set<Digest> pins) {}

    BucketUses(S3EvictionStore store, UseLog log, Clock clock, PinnedImages pins, CacheIndex local) {
        this.store = store;
        this.log = log;
        this.clock = clock;
        this.pins = pins;
        this.local = local;
    }

    /** Writes this replica's serves so far into its object. */
    synchronized void publish() {
        log.drain(this::used);
        if (mine.size() > MAX_USES) {
            // The oldest serves matter least: without them a digest's upload time stands for its last use.
            List<Map.Entry<Digest, Instant>> oldest = new ArrayList<>(mine.entrySet());
            oldest.sort(Map.Entry.comparingByValue());
            oldest.subList(0, mine.size() - MAX_USES).forEach(e -> mine.remove(e.getKey(), e.getValue()));
        }
        Set<Digest> pinned = new HashSet<>();
        local.forEachDigest((digest, entry) -> {
            if (pins.pinned(digest)) {
                pinned.add(digest);
            }
        });
        myPins = Set.copyOf(pinned);
        store.putUses(encode(mine, myPins));
    }

    /** A digest this replica stored again while it was being evicted: in use now, and published at once. */
    synchronized void reclaimed(Digest digest) {
        used(digest, clock.instant());
        try {
            store.putUses(encode(mine, myPins));
        } catch (RuntimeException e) {
            LOG.warn("cannot publish the use of {} stored again during its eviction", digest, e);
        }
    }

    /** Every replica's published serves and pins (those {@code listing} names) and this one's. */
    Merged merged(BucketListing listing) {
        log.drain(this::used);
        Map<Digest, Instant> merged = new HashMap<>(mine);
        Set<Digest> pinned = new HashSet<>();
        for (BucketListing.Named object : listing.uses()) {
            if (!object.name().equals(store.replicaId())) {
                store.readUses(object.name()).ifPresent(bytes -> decode(bytes, merged, pinned));
            }
        }
        return new Merged(merged, pinned);
    }

    private void used(Digest digest, Instant at) {
        mine.merge(digest, at, BucketTarget::later);
    }

    /** One line per digest served (the digest, a tab, epoch milliseconds), then one per pin ({@code pin}, a tab, it). */
    static byte[] encode(Map<Digest, Instant> uses, Set<Digest> pinned) {
        StringBuilder text = new StringBuilder();
        uses.entrySet().stream()
                .sorted(Comparator.comparing(e -> e.getKey().toString()))
                .forEach(e -> text.append(e.getKey())
                        .append('\t')
                        .append(e.getValue().toEpochMilli())
                        .append('\n'));
        pinned.stream()
                .map(Digest::toString)
                .sorted()
                .forEach(d -> text.append("pin\t").append(d).append('\n'));
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Merges the serves {@code bytes} lists into {@code into} (latest wins) and its pins into {@code pinned}; lines it
     * cannot read are skipped.
     */
    static void decode(byte[] bytes, Map<Digest, Instant> into, Set<Digest> pinned) {
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("pin\t") && Digest.isDigest(line.substring(4))) {
                pinned.add(Digest.parse(line.substring(4)));
                continue;
            }
            int tab = line.indexOf('\t');
            if (tab < 0 || !Digest.isDigest(line.substring(0, tab))) {
                continue;
            }
            try {
                Instant at = Instant.ofEpochMilli(Long.parseLong(line.substring(tab + 1)));
                into.merge(Digest.parse(line.substring(0, tab)), at, BucketTarget::later);
            } catch (NumberFormatException e) {
                // A line another version wrote, or a torn one: that digest's use is not known from it.
            }
        }
    }
}
