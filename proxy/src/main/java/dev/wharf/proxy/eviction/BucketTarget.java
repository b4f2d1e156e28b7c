package dev.wharf.proxy.eviction;

import dev.wharf.config.Defaults;
import dev.wharf.storage.Digest;
import dev.wharf.storage.StorageException;
import dev.wharf.storage.TagLink;
import dev.wharf.storage.UpstreamName;
import dev.wharf.storage.s3.BucketListing;
import dev.wharf.storage.s3.S3EvictionStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cache as a bucket that several replicas share (objects in {@link S3EvictionStore}).
 *
 * <ul>
 *   <li><b>Census</b> from the bucket itself, one listing: every blob object with its size, manifests by their
 *       media-type objects, tags by their link objects (each read once per entity tag). Last use is the latest of the
 *       serves every replica published and the object's own write time.
 *   <li><b>Uses</b>: every {@code checkEvery} each replica writes the serves it recorded since it started into one
 *       object of its own ({@code eviction/uses/REPLICA}); the census merges them all (latest wins). No write per
 *       request. An object not rewritten for {@link #USES_KEPT} (its replica is gone) is deleted.
 *   <li><b>One evictor at a time</b>: checks and purges run holding the lease {@code eviction/lease}, taken with a
 *       conditional write and renewed as the work goes on (once a third of its life passed since the last renewal,
 *       checked after every listing and read of the uses and at each tag and digest); a replica that dies holding it loses it after {@link
 *       #LEASE_TTL}. Another replica's check meanwhile deletes nothing.
 *   <li><b>Two phases</b>. An eviction first writes its journal ({@link BucketJournal}), then deletes the tags at once.
 *       The digests (manifests and blobs) stay for {@code grace}, so that responses under way on any replica end
 *       whole (a ranged GET of a deleted object fails). Every replica reads the journals at each tick, forgets their
 *       tags and digests in its own index and stops serving their digests from the bucket ({@link
 *       PendingEvictions}): a request for one is a miss, filled from the upstream. Once the grace has passed, the
 *       evictor of the moment deletes the digests, except those needed again: reachable from a tag or from a
 *       manifest that is not being evicted, served after the eviction began, written again since, or being filled.
 *       Then the journal goes.
 *   <li><b>Crashes</b>: the journal is written before the first delete; a start, or the next evictor, deletes its
 *       tags again (those still pointing at its digests) and, after the grace, its digests.
 * </ul>
 *
 * Keep {@code grace} longer than {@code checkEvery} plus the longest blob response: a replica learns of an eviction
 * at its next tick, and a response it started before that must end before the bytes go.
 */
final class BucketTarget implements EvictionTarget {
    private static final Logger LOG = LoggerFactory.getLogger(BucketTarget.class);
    /** How long the eviction lease lasts without renewal. */
    static final Duration LEASE_TTL = Duration.ofSeconds(60);
    /** A replica's uses object not rewritten for this long belongs to a replica that is gone. */
    static final Duration USES_KEPT = Duration.ofDays(7);
    /** The longest the work goes on between two renewals of the lease: a third of its life. */
    static final Duration RENEW_AFTER = LEASE_TTL.dividedBy(3);

    private final EvictionSettings settings;
    private final BucketEvictionSettings bucket;
    private final S3EvictionStore store;
    private final CacheCensus.References references;
    private final BucketUses uses;
    private final Map<String, BucketJournal> journals = new TreeMap<>();
    private final Map<BucketListing.TagObject, Optional<Digest>> tagDigests = new HashMap<>();
    private final Map<Digest, String> mediaTypes = new HashMap<>();
    /** Journals found unreadable, each logged once. */
    private final Set<String> unreadable = new HashSet<>();

    private S3EvictionStore.EvictionLease lease;
    private Instant renewed;
    private long storedBytes = -1;
    private volatile Set<Digest> pinnedElsewhere = Set.of();

    BucketTarget(EvictionSettings settings, BucketEvictionSettings bucket, CacheCensus.References references) {
        this.settings = settings;
        this.bucket = bucket;
        this.store = bucket.bucket();
        this.references = references;
        this.uses = new BucketUses(store, settings.uses(), settings.clock(), settings.pins(), settings.usesIndex());
        bucket.pending().onReclaim(uses::reclaimed);
        if (bucket.grace().compareTo(settings.bounds().checkEvery()) <= 0) {
            LOG.warn(
                    "storage.evictGrace ({}) is not longer than storage.evictEvery ({}): a replica may learn of an"
                            + " eviction after its bytes went, and a response it streams from the bucket then ends short",
                    bucket.grace(),
                    settings.bounds().checkEvery());
        }
    }

    /** Nothing before serving: the bucket is read in {@link #recoverInBackground()}, so start-up never waits on it. */
    @Override
    public void recover() {}

    /** Learns of the evictions under way and, holding the lease, completes those a crash cut short. */
    @Override
    public void recoverInBackground() {
        try {
            Set<String> fresh = readJournals();
            if (!fresh.isEmpty()) {
                LOG.info("{} eviction(s) of the shared bucket under way", fresh.size());
            }
            exclusively(() -> {
                for (Map.Entry<String, BucketJournal> journal : journals.entrySet()) {
                    redoTags(journal.getValue());
                }
                return null;
            });
        } catch (RuntimeException e) {
            // Start-up never needs the bucket: the next check completes what is left.
            LOG.warn("cannot look for evictions of the shared bucket under way now; the next check will", e);
        }
    }

    /** Publishes this replica's uses and learns of evictions other replicas started. */
    @Override
    public void maintain() {
        uses.publish();
        readJournals();
    }

    @Override
    public CacheCensus census() {
        BucketListing listing = store.list();
        renewing();
        BucketUses.Merged merged = uses.merged(listing);
        renewing();
        Map<Digest, Instant> lastUses = merged.uses();
        pinnedElsewhere = merged.pins();
        Set<Digest> going = going(listing, lastUses);
        Map<Digest, CacheCensus.Item> items = new HashMap<>();
        Map<Digest, List<Digest>> refs = new HashMap<>();
        listing.blobs().forEach((digest, blob) -> {
            if (going.contains(digest)) {
                return;
            }
            renewing();
            boolean manifest = listing.mediaTypes().contains(digest);
            Instant lastUse = later(lastUses.get(digest), blob.lastModified());
            items.put(digest, new CacheCensus.Item(digest, blob.size(), manifest, lastUse));
            if (manifest) {
                refs.put(digest, referencesOf(digest));
            }
        });
        Map<Digest, List<TagRef>> tags = new HashMap<>();
        tagDigests.keySet().retainAll(listing.tags());
        for (BucketListing.TagObject tag : listing.tags()) {
            renewing();
            tagDigest(tag)
                    .ifPresent(digest -> tags.computeIfAbsent(digest, d -> new ArrayList<>())
                            .add(new TagRef(tag.upstream().value(), tag.repository(), tag.tag())));
        }
        storedBytes = listing.blobBytes();
        renewing();
        return CacheCensus.of(items, refs, tags);
    }

    @Override
    public <T> Optional<T> exclusively(Supplier<T> work) {
        Optional<S3EvictionStore.EvictionLease> taken = store.tryLease(LEASE_TTL);
        if (taken.isEmpty()) {
            LOG.debug("another replica evicts from the shared bucket now");
            return Optional.empty();
        }
        lease = taken.get();
        renewed = settings.clock().instant();
        try {
            readJournals();
            finishDue();
            return Optional.ofNullable(work.get());
        } finally {
            lease.close();
            lease = null;
        }
    }

    @Override
    public void delete(List<TagRef> tags, List<Digest> digests) {
        Instant now = settings.clock().instant();
        BucketJournal journal = new BucketJournal(now, now.plus(bucket.grace()), tags, digests);
        String name = BucketJournal.name(now);
        if (!store.createJournal(name, journal.bytes())) {
            throw new StorageException(StorageException.Kind.IO, "an eviction journal named " + name + " exists");
        }
        journals.put(name, journal);
        bucket.pending().add(digests);
        // Only the tags that still point at a digest of this eviction as confirmed before it began: one pulled anew
        // since the census stays.
        redoTags(journal);
        tags.forEach(bucket.local()::forgetTag);
        digests.forEach(bucket.local()::forgetDigest);
        LOG.info(
                "evicting from the shared bucket: {} tags deleted, {} digests go after {} ({})",
                tags.size(),
                digests.size(),
                journal.deleteAfter(),
                name);
    }

    /** {@inheritDoc} As the replicas published with their uses at the last census. */
    @Override
    public boolean pinnedElsewhere(Digest digest) {
        return pinnedElsewhere.contains(digest);
    }

    /** The floor of {@code minFree} is the local filesystem's: deleting from the bucket frees none of it. */
    @Override
    public long bytesToFree() {
        return 0;
    }

    /** {@inheritDoc} What the bucket holds: evicted digests count until their grace ends and they are deleted. */
    @Override
    public long storedAfter(EvictionPlan plan) {
        return storedBytes;
    }

    /**
     * Reads the journals the bucket holds that were not read before, forgets their tags and digests locally, and stops
     * serving their digests; returns the names new to this replica.
     */
    private Set<String> readJournals() {
        List<String> names = store.listJournals();
        journals.keySet().retainAll(names);
        unreadable.retainAll(names);
        Set<String> fresh = new HashSet<>();
        for (String name : names) {
            if (journals.containsKey(name) || unreadable.contains(name)) {
                continue;
            }
            renewing();
            Optional<byte[]> bytes = store.readJournal(name);
            if (bytes.isEmpty()) {
                continue;
            }
            BucketJournal journal;
            try {
                journal = BucketJournal.parse(bytes.get());
            } catch (IllegalArgumentException e) {
                unreadable.add(name);
                LOG.warn("ignoring the unreadable eviction journal {}: {}", name, e.getMessage());
                continue;
            }
            journals.put(name, journal);
            fresh.add(name);
            journal.tags().forEach(bucket.local()::forgetTag);
            journal.digests().forEach(bucket.local()::forgetDigest);
        }
        Set<Digest> going = new HashSet<>();
        journals.values().forEach(j -> going.addAll(j.digests()));
        bucket.pending().replace(going);
        return fresh;
    }

    /**
     * Deletes again the tags of {@code journal} that still point at one of its digests as confirmed before it began
     * (one confirmed since was pulled anew, and stays).
     */
    private void redoTags(BucketJournal journal) {
        Set<Digest> digests = new HashSet<>(journal.digests());
        for (TagRef tag : journal.tags()) {
            renewing();
            UpstreamName upstream = UpstreamName.parse(tag.upstream());
            Optional<TagLink> now =
                    store.readTag(new BucketListing.TagObject(upstream, tag.repository(), tag.tag(), ""));
            if (now.isPresent()
                    && digests.contains(now.get().digest())
                    && !now.get().confirmedAt().isAfter(journal.started())) {
                store.deleteTag(upstream, tag.repository(), tag.tag());
            }
        }
    }

    /** Deletes the digests of the journals whose grace has passed, except those needed again; then the journals. */
    private void finishDue() {
        Instant now = settings.clock().instant();
        List<Map.Entry<String, BucketJournal>> due = journals.entrySet().stream()
                .filter(j -> !j.getValue().deleteAfter().isAfter(now))
                .sorted(Map.Entry.comparingByKey())
                .toList();
        if (due.isEmpty()) {
            return;
        }
        BucketListing listing = store.list();
        renewing();
        Set<Digest> deleted = new HashSet<>();
        long freed = 0;
        for (Map.Entry<String, BucketJournal> entry : due) {
            BucketJournal journal = entry.getValue();
            redoTags(journal);
            // The uses again, just before this journal's deletes: a replica that stored one of its digests again
            // published the use at once. One that published too late keeps the digest hidden until the journal is
            // gone, so the delete costs it a refill from the upstream, never a response cut short.
            Set<Digest> going = going(listing, uses.merged(listing).uses());
            renewing();
            for (Digest digest : journal.digests()) {
                renewing();
                BucketListing.Blob blob = listing.blobs().get(digest);
                if (!going.contains(digest) || deleted.contains(digest)) {
                    continue;
                }
                if (blob != null && blob.lastModified().isAfter(journal.started())) {
                    continue;
                }
                if (store.isFilling(digest, Defaults.FILL_LEASE_TTL)) {
                    continue;
                }
                renewing();
                store.deleteDigest(digest);
                references.forget(digest);
                mediaTypes.remove(digest);
                deleted.add(digest);
                freed += blob == null ? 0 : blob.size();
            }
            store.deleteJournal(entry.getKey());
            journals.remove(entry.getKey());
            LOG.info(
                    "completed the eviction {}: {} digests deleted from the shared bucket",
                    entry.getKey(),
                    deleted.size());
        }
        for (BucketListing.LinkObject link : listing.links()) {
            if (deleted.contains(link.digest())) {
                renewing();
                store.deleteLink(link);
            }
        }
        for (BucketListing.Named object : listing.uses()) {
            if (object.lastModified().isBefore(now.minus(USES_KEPT))) {
                renewing();
                store.deleteUses(object.name());
            }
        }
        storedBytes = listing.blobBytes() - freed;
        Set<Digest> left = new HashSet<>();
        journals.values().forEach(j -> left.addAll(j.digests()));
        bucket.pending().replace(left);
    }

    /**
     * The digests of the journals under way that no one needs again: not reachable from a tag or from a stored manifest
     * outside the journals, and not served since their eviction began.
     */
    private Set<Digest> going(BucketListing listing, Map<Digest, Instant> uses) {
        Set<Digest> journaled = new HashSet<>();
        journals.values().forEach(j -> journaled.addAll(j.digests()));
        if (journaled.isEmpty()) {
            return journaled;
        }
        Deque<Digest> roots = new ArrayDeque<>();
        for (BucketListing.TagObject tag : listing.tags()) {
            tagDigest(tag).ifPresent(roots::add);
        }
        for (Digest manifest : listing.mediaTypes()) {
            if (!journaled.contains(manifest)) {
                roots.add(manifest);
            }
        }
        for (BucketJournal journal : journals.values()) {
            for (Digest digest : journal.digests()) {
                Instant used = uses.get(digest);
                if (used != null && used.isAfter(journal.started())) {
                    roots.add(digest);
                }
            }
        }
        Set<Digest> needed = new HashSet<>();
        while (!roots.isEmpty()) {
            Digest digest = roots.poll();
            if (!needed.add(digest)) {
                continue;
            }
            if (listing.mediaTypes().contains(digest) && listing.blobs().containsKey(digest)) {
                roots.addAll(referencesOf(digest));
            }
        }
        journaled.removeAll(needed);
        return journaled;
    }

    private List<Digest> referencesOf(Digest manifest) {
        String mediaType =
                mediaTypes.computeIfAbsent(manifest, d -> store.readMediaType(d).orElse(""));
        return references.of(manifest, mediaType, bucket.blobs());
    }

    private Optional<Digest> tagDigest(BucketListing.TagObject tag) {
        return tagDigests.computeIfAbsent(tag, t -> store.readTag(t).map(TagLink::digest));
    }

    /**
     * Renews the lease once more than {@link #RENEW_AFTER} passed since it was taken or last renewed (by the settings'
     * clock); when it was lost, stops the work at once: another replica may be evicting now.
     */
    private void renewing() {
        if (lease == null) {
            return;
        }
        Instant now = settings.clock().instant();
        if (Duration.between(renewed, now).compareTo(RENEW_AFTER) <= 0) {
            return;
        }
        if (!lease.renew()) {
            LOG.warn("lost the eviction lease of the shared bucket (last renewed {}); stopping this eviction", renewed);
            throw new StorageException(
                    StorageException.Kind.UNAVAILABLE, "lost the eviction lease of the shared bucket; stopping");
        }
        renewed = now;
    }

    static Instant later(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isAfter(b) ? a : b;
    }
}
