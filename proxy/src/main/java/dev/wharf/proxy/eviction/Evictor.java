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
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the cache within its bounds: every {@code checkEvery} it records the last uses, sweeps orphans and, over
 * {@code maxSize} or under {@code minFree}, evicts whole images, least recently used first (see {@link Planner}).
 * Everything runs on one thread of its own, so evictions, dry runs and purges never overlap in this process. Where
 * the cache lives decides how it is read and deleted from ({@link EvictionTarget}): on local disk the index is the
 * census and deletes are journaled in the cache directory ({@link LocalTarget}); on a bucket that replicas share,
 * the bucket is the census, one replica at a time evicts, and bytes go after a grace ({@link BucketTarget}). Either
 * way an eviction cut short is completed when an evictor opens next.
 */
public final class Evictor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Evictor.class);
    /** Blobs no manifest references are kept this long after their last use, for clients that pull blobs first. */
    static final Duration ORPHAN_GRACE = Duration.ofHours(1);

    /** How often, and how far apart, a purge tries to take a shared bucket's eviction lease. */
    private static final int PURGE_ATTEMPTS = 30;

    private static final Duration PURGE_RETRY = Duration.ofSeconds(1);

    static final String EVICTIONS = "wharf_evictions_total";
    static final String EVICTED_BYTES = "wharf_evicted_bytes_total";
    static final String STORED = "wharf_storage_bytes";
    static final String QUOTA = "wharf_storage_quota_bytes";
    static final String FREE = "wharf_storage_free_bytes";
    static final String MIN_FREE = "wharf_storage_min_free_bytes";

    private final EvictionSettings settings;
    private final EvictionTarget target;
    private final Planner planner;
    private final CacheCensus.References references = new CacheCensus.References();
    private final ScheduledThreadPoolExecutor thread;
    private final AtomicLong stored = new AtomicLong(-1);
    private final Map<EvictionPlan.Reason, Counter> evictions = new EnumMap<>(EvictionPlan.Reason.class);
    private final Map<EvictionPlan.Reason, Counter> evictedBytes = new EnumMap<>(EvictionPlan.Reason.class);

    private Evictor(EvictionSettings settings, Function<Evictor, EvictionTarget> target, MeterRegistry meters) {
        this.settings = settings;
        this.target = target.apply(this);
        // Replicas sharing a bucket pin what each prewarmed: their pins are published with their uses.
        EvictionTarget pinning = this.target;
        this.planner =
                new Planner(digest -> settings.pins().pinned(digest) || pinning.pinnedElsewhere(digest), ORPHAN_GRACE);
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
        return open(settings, e -> new LocalTarget(settings, e.references, e::freeBytes), meters);
    }

    /**
     * As {@link #open(EvictionSettings, MeterRegistry)}, for a bucket that replicas share: {@code settings.bounds()}
     * bound the bucket, and every {@code checkEvery} this replica publishes its uses and learns of other replicas'
     * evictions, whether or not it is {@code automatic}.
     */
    public static Evictor open(EvictionSettings settings, BucketEvictionSettings bucket, MeterRegistry meters) {
        return open(settings, e -> new BucketTarget(settings, bucket, e.references), meters);
    }

    private static Evictor open(
            EvictionSettings settings, Function<Evictor, EvictionTarget> target, MeterRegistry meters) {
        Evictor evictor = new Evictor(settings, target, meters);
        evictor.target.recover();
        // First on the evictor's own thread, before any scheduled check or asked run.
        evictor.thread.execute(evictor.target::recoverInBackground);
        long every = settings.bounds().checkEvery().toMillis();
        if (settings.automatic()) {
            evictor.thread.scheduleWithFixedDelay(evictor::checkQuietly, every, every, TimeUnit.MILLISECONDS);
        } else {
            // Upkeep only (a bucket's uses published, other replicas' evictions learnt): nothing is deleted.
            evictor.thread.scheduleWithFixedDelay(evictor::maintainQuietly, every, every, TimeUnit.MILLISECONDS);
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
            // An operator asked: wait a while for another replica's eviction of the shared bucket to end.
            for (int attempt = 1; ; attempt++) {
                Optional<Purge> done = target.exclusively(() -> purgeNow(which));
                if (done.isPresent()) {
                    return done.get();
                }
                if (attempt == PURGE_ATTEMPTS) {
                    throw new StorageException(
                            StorageException.Kind.UNAVAILABLE,
                            "another replica kept evicting from the shared bucket; purge again later");
                }
                try {
                    Thread.sleep(PURGE_RETRY.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StorageException(StorageException.Kind.UNAVAILABLE, "interrupted", e);
                }
            }
        });
    }

    private Purge purgeNow(Predicate<TagRef> which) {
        {
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
        }
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
        target.maintain();
        return target.exclusively(() -> {
                    CacheCensus census = census();
                    EvictionPlan plan = plan(census);
                    if (!plan.isEmpty()) {
                        apply(plan, plan.tags());
                    }
                    stored.set(target.storedAfter(plan));
                    return plan;
                })
                // Another replica evicts now: this one deletes nothing (and lists nothing), its figures as last seen.
                .orElseGet(() -> new EvictionPlan(List.of(), List.of(), stored.get(), stored.get()));
    }

    private void checkQuietly() {
        try {
            check();
        } catch (RuntimeException e) {
            LOG.warn("eviction check failed; next in {}", settings.bounds().checkEvery(), e);
        }
    }

    private void maintainQuietly() {
        try {
            target.maintain();
        } catch (RuntimeException e) {
            LOG.warn("eviction upkeep failed; next in {}", settings.bounds().checkEvery(), e);
        }
    }

    private EvictionPlan plan(CacheCensus census) {
        return planner.plan(
                census,
                settings.bounds().maxSize(),
                target.bytesToFree(),
                settings.clock().instant());
    }

    private CacheCensus census() {
        return target.census();
    }

    private void apply(EvictionPlan plan, List<TagRef> tags) {
        target.delete(tags, plan.digests());
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
        stored.set(target.storedAfter(plan));
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
