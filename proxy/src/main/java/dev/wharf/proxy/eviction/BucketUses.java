package dev.wharf.proxy.eviction;

import dev.wharf.storage.Digest;
import dev.wharf.storage.s3.BucketListing;
import dev.wharf.storage.s3.S3EvictionStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last serves of a bucket's digests as all replicas saw them. This replica's serves, recorded in memory by {@link
 * UseLog}, are gathered here and written whole into its own object ({@code eviction/uses/REPLICA}, one line per
 * digest: the digest, a tab, epoch milliseconds) by {@link #publish}, every {@code checkEvery}, never once per
 * request; {@link #merged} reads every replica's object and keeps the latest serve of each digest. Thread-safe: writes
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

    BucketUses(S3EvictionStore store, UseLog log, Clock clock) {
        this.store = store;
        this.log = log;
        this.clock = clock;
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
        store.putUses(encode(mine));
    }

    /** A digest this replica stored again while it was being evicted: in use now, and published at once. */
    synchronized void reclaimed(Digest digest) {
        used(digest, clock.instant());
        try {
            store.putUses(encode(mine));
        } catch (RuntimeException e) {
            LOG.warn("cannot publish the use of {} stored again during its eviction", digest, e);
        }
    }

    /** Every replica's published serves (those {@code listing} names) and this one's, the latest of each digest. */
    Map<Digest, Instant> merged(BucketListing listing) {
        log.drain(this::used);
        Map<Digest, Instant> merged = new HashMap<>(mine);
        for (BucketListing.Named object : listing.uses()) {
            if (!object.name().equals(store.replicaId())) {
                store.readUses(object.name()).ifPresent(bytes -> decode(bytes, merged));
            }
        }
        return merged;
    }

    private void used(Digest digest, Instant at) {
        mine.merge(digest, at, BucketTarget::later);
    }

    /** One line per digest: the digest, a tab, the epoch milliseconds of its last serve. */
    static byte[] encode(Map<Digest, Instant> uses) {
        StringBuilder text = new StringBuilder();
        uses.entrySet().stream()
                .sorted(Comparator.comparing(e -> e.getKey().toString()))
                .forEach(e -> text.append(e.getKey())
                        .append('\t')
                        .append(e.getValue().toEpochMilli())
                        .append('\n'));
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Merges the serves {@code bytes} lists into {@code into} (latest wins); lines it cannot read are skipped. */
    static void decode(byte[] bytes, Map<Digest, Instant> into) {
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
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
