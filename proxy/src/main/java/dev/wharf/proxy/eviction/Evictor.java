package dev.wharf.proxy.eviction;

import dev.wharf.storage.Digest;
import dev.wharf.storage.StorageException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the cache within its bounds: every {@code checkEvery} it writes the recorded last uses to the index, sweeps
 * orphans and, over {@code maxSize} or under {@code minFree}, evicts whole images, least recently used first (see
 * {@link Planner}). Everything runs on one thread of its own, so evictions, dry runs and purges never overlap. An
 * eviction is journaled ({@link EvictionJournal}) and deletes tags, then index entries, then bytes: a client reading
 * a blob as it goes keeps reading it whole (an open file outlives its name), and one cut short is completed when the
 * evictor opens next.
 */
public final class Evictor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Evictor.class);
    /** Blobs no manifest references are kept this long after their last use, for clients that pull blobs first. */
    static final Duration ORPHAN_GRACE = Duration.ofHours(1);
    /** Digests per journal when an eviction does not fit in one (a digest line is at most 140 bytes). */
    private static final int DIGESTS_PER_PART = 1_000;
    /** Tags per journal part (a tag line is at most about 500 bytes). */
    private static final int TAGS_PER_PART = 400;

    static final String EVICTIONS = "wharf_evictions_total";
    static final String EVICTED_BYTES = "wharf_evicted_bytes_total";
    static final String STORED = "wharf_storage_bytes";
    static final String QUOTA = "wharf_storage_quota_bytes";
    static final String FREE = "wharf_storage_free_bytes";
    static final String MIN_FREE = "wharf_storage_min_free_bytes";

    private final EvictionSettings settings;
    private final EvictionJournal journal;
    private final Planner planner;
    private final CacheCensus.References references = new CacheCensus.References();
    private final ScheduledThreadPoolExecutor thread;
    private final AtomicLong stored = new AtomicLong(-1);
    private final Map<EvictionPlan.Reason, Counter> evictions = new EnumMap<>(EvictionPlan.Reason.class);
    private final Map<EvictionPlan.Reason, Counter> evictedBytes = new EnumMap<>(EvictionPlan.Reason.class);

    private Evictor(EvictionSettings settings, MeterRegistry meters) {
        this.settings = settings;
        this.journal = new EvictionJournal(settings.directory());
        this.planner = new Planner(settings.pins(), ORPHAN_GRACE);
        this.thread = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread t = new Thread(runnable, "wharf-evictor");
            t.setDaemon(true);
            return t;
        });
        thread.setRemoveOnCancelPolicy(true);
        for (EvictionPlan.Reason reason : EvictionPlan.Reason.values()) {
            evictions.put(
                    reason,
                    Counter.builder(EVICTIONS)
                            .description("Digests (manifests and blobs) deleted from the cache, by reason")
                            .tag("reason", reason.label)
                            .register(meters));
            evictedBytes.put(
                    reason,
                    Counter.builder(EVICTED_BYTES)
                            .description("Bytes deleted from the cache, by reason")
                            .tag("reason", reason.label)
                            .register(meters));
        }
        Gauge.builder(STORED, stored, s -> s.get() < 0 ? Double.NaN : s.get())
                .description("Bytes the cache stores, each digest counted once, as of the last check")
                .baseUnit("bytes")
                .strongReference(true)
                .register(meters);
        Gauge.builder(QUOTA, settings.bounds(), b -> b.bounded() ? b.maxSize() : Double.NaN)
                .description("storage.maxSize: the most bytes the cache may store (NaN: unbounded)")
                .baseUnit("bytes")
                .strongReference(true)
                .register(meters);
        Gauge.builder(MIN_FREE, settings.bounds(), b -> (double) b.minFree())
                .description("storage.minFree: the free space eviction keeps on the cache's filesystem")
                .baseUnit("bytes")
                .strongReference(true)
                .register(meters);
        Gauge.builder(FREE, this, e -> (double) e.freeBytes())
                .description("Usable free space on the cache's filesystem")
                .baseUnit("bytes")
                .strongReference(true)
                .register(meters);
    }

    /**
     * Opens the evictor and, before anything is served, completes an eviction a crash cut short; then, when {@code
     * automatic}, checks the bounds every {@code checkEvery}.
     */
    public static Evictor open(EvictionSettings settings, MeterRegistry meters) {
        Evictor evictor = new Evictor(settings, meters);
        evictor.recover();
        if (settings.automatic()) {
            long every = settings.bounds().checkEvery().toMillis();
            evictor.thread.scheduleWithFixedDelay(evictor::checkQuietly, every, every, TimeUnit.MILLISECONDS);
        }
        return evictor;
    }

    /** What a check would evict now, without deleting anything (a dry run). */
    public CompletableFuture<EvictionPlan> plan() {
        return on(() -> plan(census()));
    }

    /** Checks the bounds now and evicts what they require; completes with what went. */
    public CompletableFuture<EvictionPlan> run() {
        return on(this::check);
    }

    /** The cache as it stands: images, tags and sizes. */
    public CompletableFuture<CacheView> view() {
        return on(() -> {
            settings.uses().flush(settings.usesIndex());
            CacheCensus census = census();
            return new CacheView(census.images(), census.storedBytes());
        });
    }

    /**
     * Deletes the tags {@code which} selects and evicts the images they pointed at that no other tag still names
     * (shared blobs stay while a kept image needs them); completes with what went and the tags deleted.
     */
    public CompletableFuture<Purge> purge(Predicate<TagRef> which) {
        return on(() -> {
            CacheCensus census = census();
            Set<TagRef> tags = new HashSet<>();
            Set<Digest> roots = new HashSet<>();
            census.tags()
                    .forEach((digest, refs) -> refs.stream().filter(which).forEach(tag -> {
                        tags.add(tag);
                        roots.add(digest);
                    }));
            roots.removeIf(root -> !tags.containsAll(census.tagsOf(root)));
            EvictionPlan plan = planner.purge(census, roots);
            Set<TagRef> deletedTags = new HashSet<>(tags);
            apply(plan, List.copyOf(tags));
            return new Purge(plan, List.copyOf(deletedTags));
        });
    }

    /** A purge's outcome: the images that went and every tag deleted. */
    public record Purge(EvictionPlan plan, List<TagRef> tags) {}

    /** The images cached (least recently used first) and the bytes stored. */
    public record CacheView(List<CachedImage> images, long storedBytes) {}

    /** The bounds this evictor keeps. */
    public dev.wharf.config.EvictionConfig bounds() {
        return settings.bounds();
    }

    /** How often the image under {@code root} was pulled (its top manifest served) since start. */
    public long pulls(Digest root) {
        return settings.uses().serves(root);
    }

    /** Usable free space on the cache's filesystem; -1 when it cannot be read. */
    public long freeBytes() {
        try {
            return Files.getFileStore(settings.directory()).getUsableSpace();
        } catch (IOException e) {
            return -1;
        }
    }

    private EvictionPlan check() {
        settings.uses().flush(settings.usesIndex());
        CacheCensus census = census();
        EvictionPlan plan = plan(census);
        if (!plan.isEmpty()) {
            apply(plan, plan.tags());
        }
        stored.set(plan.storedAfter());
        return plan;
    }

    private void checkQuietly() {
        try {
            check();
        } catch (RuntimeException e) {
            LOG.warn("eviction check failed; next in {}", settings.bounds().checkEvery(), e);
        }
    }

    private EvictionPlan plan(CacheCensus census) {
        long toFree = 0;
        long minFree = settings.bounds().minFree();
        if (minFree > 0) {
            long free = freeBytes();
            toFree = free < 0 ? 0 : Math.max(0, minFree - free);
        }
        return planner.plan(
                census, settings.bounds().maxSize(), toFree, settings.clock().instant());
    }

    private CacheCensus census() {
        return CacheCensus.take(settings.index(), settings.store(), settings.uses(), references);
    }

    private void apply(EvictionPlan plan, List<TagRef> tags) {
        EvictionJournal.Entries all = new EvictionJournal.Entries(tags, plan.digests());
        if (EvictionJournal.fits(all)) {
            journaled(all);
        } else {
            // Too much for one journal: the tags first, then the digests in parts, each part whole before the next.
            for (int from = 0; from < tags.size(); from += TAGS_PER_PART) {
                journaled(new EvictionJournal.Entries(
                        tags.subList(from, Math.min(tags.size(), from + TAGS_PER_PART)), List.of()));
            }
            List<Digest> digests = plan.digests();
            for (int from = 0; from < digests.size(); from += DIGESTS_PER_PART) {
                journaled(new EvictionJournal.Entries(
                        List.of(), digests.subList(from, Math.min(digests.size(), from + DIGESTS_PER_PART))));
            }
        }
        for (EvictionPlan.Evicted image : plan.images()) {
            evictions.get(image.reason()).increment(image.deleted().size());
            evictedBytes.get(image.reason()).increment(image.freedBytes());
            LOG.info(
                    "evicted image {} ({}; {} digests, {} bytes, last used {}): {}",
                    image.image().root(),
                    image.image().tags(),
                    image.deleted().size(),
                    image.freedBytes(),
                    image.image().lastUse(),
                    image.reason().label);
        }
        for (EvictionPlan.Orphan orphan : plan.orphans()) {
            evictions.get(EvictionPlan.Reason.ORPHAN).increment();
            evictedBytes.get(EvictionPlan.Reason.ORPHAN).increment(orphan.bytes());
        }
        if (!plan.orphans().isEmpty()) {
            LOG.info("swept {} orphaned blobs", plan.orphans().size());
        }
        stored.set(plan.storedAfter());
    }

    private void journaled(EvictionJournal.Entries entries) {
        journal.write(entries);
        delete(entries);
        journal.clear();
    }

    /** Tags first, then each digest's index entry before its bytes: nothing kept ever points at deleted bytes. */
    private void delete(EvictionJournal.Entries entries) {
        for (TagRef tag : entries.tags()) {
            settings.index().deleteTag(tag.upstream(), tag.repository(), tag.tag());
        }
        for (Digest digest : entries.digests()) {
            settings.index().deleteDigest(digest);
            settings.hot().invalidate(digest);
            references.forget(digest);
            settings.store().delete(digest);
        }
    }

    private void recover() {
        var left = journal.read();
        if (left.isEmpty()) {
            return;
        }
        LOG.warn(
                "completing an eviction that did not finish: {} tags, {} digests",
                left.get().tags().size(),
                left.get().digests().size());
        try {
            delete(left.get());
        } catch (StorageException e) {
            throw new StorageException(e.kind(), "cannot complete the interrupted eviction", e);
        }
        journal.clear();
    }

    private <T> CompletableFuture<T> on(Supplier<T> work) {
        return CompletableFuture.supplyAsync(work, thread);
    }

    /** Stops the checks; an eviction under way finishes first (its journal covers a kill). */
    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
