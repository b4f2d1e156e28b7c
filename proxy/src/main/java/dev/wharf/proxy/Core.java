package dev.wharf.proxy;

import dev.wharf.config.Defaults;
import dev.wharf.config.EvictionConfig;
import dev.wharf.config.FreshnessRule;
import dev.wharf.config.TagGone;
import dev.wharf.config.WharfConfig;
import dev.wharf.proxy.eviction.BucketEvictionSettings;
import dev.wharf.proxy.eviction.EvictionSettings;
import dev.wharf.proxy.eviction.Evictor;
import dev.wharf.proxy.eviction.LocalReplicaIndex;
import dev.wharf.proxy.eviction.PendingEvictionStore;
import dev.wharf.proxy.eviction.PendingEvictions;
import dev.wharf.proxy.eviction.PinnedImages;
import dev.wharf.proxy.eviction.UseLog;
import dev.wharf.proxy.health.Readiness;
import dev.wharf.proxy.pull.FreshnessPolicy;
import dev.wharf.proxy.pull.PullSettings;
import dev.wharf.proxy.pull.PullThrough;
import dev.wharf.proxy.pull.Target;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.CacheIndex;
import dev.wharf.storage.Digest;
import dev.wharf.storage.ManifestCache;
import dev.wharf.storage.Tag;
import dev.wharf.storage.index.CachingIndex;
import dev.wharf.storage.index.ReconcilingBlobStore;
import dev.wharf.storage.index.RocksIndex;
import dev.wharf.storage.index.StoreBackedIndex;
import dev.wharf.storage.tier.DiskTier;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Wharf without its listeners: storage opened, the upstream lanes made, the pull-through cache assembled, and the
 * threads they run on. What {@code serve} builds on, and what command-line tools that fill or read the cache open.
 * Never contacts an upstream. Closing stops the threads first, then closes the index and the store.
 */
public final class Core implements AutoCloseable {
    private static final int INDEX_CACHE_ENTRIES = 100_000;
    private static final long HOT_MANIFEST_BYTES = 64L * 1024 * 1024;

    private final Stores stores;
    private final BlobStore store;
    private final CacheIndex index;
    private final CoreThreads threads;
    private final UpstreamLanes lanes;
    private final PullThrough pull;
    private final Evictor evictor;
    private final Readiness readiness;

    private Core(
            Stores stores,
            BlobStore store,
            CacheIndex index,
            CoreThreads threads,
            UpstreamLanes lanes,
            PullThrough pull,
            Evictor evictor,
            Readiness readiness) {
        this.stores = stores;
        this.store = store;
        this.index = index;
        this.threads = threads;
        this.lanes = lanes;
        this.pull = pull;
        this.evictor = evictor;
        this.readiness = readiness;
    }

    /** Opens the configured storage and assembles the cache; upstream gauges are registered in {@code meters}. */
    public static Core open(WharfConfig config, Clock clock, MeterRegistry meters) {
        return open(config, clock, meters, PinnedImages.NONE);
    }

    /** As {@link #open(WharfConfig, Clock, MeterRegistry)}, never evicting the images {@code pins} names. */
    public static Core open(WharfConfig config, Clock clock, MeterRegistry meters, PinnedImages pins) {
        CoreThreads threads = new CoreThreads();
        Stores stores = null;
        CachingIndex index;
        RocksIndex rocks = null;
        PendingEvictions pending = new PendingEvictions();
        BlobStore served;
        try {
            stores = Stores.open(config.storage(), clock, threads.storage());
            // In a shared bucket, what another replica is evicting is not served from the bucket (a miss instead).
            served = stores.bucket().isPresent()
                    ? new PendingEvictionStore(
                            stores.blobs(), pending, config.storage().path().resolve("evicting"))
                    : stores.blobs();
            // The index is a cache of the store: tags, media types and repository links live in the store too, so a
            // lost or empty index rebuilds itself as it is used, start-up looks at no blob, and a replica sharing a
            // bucket finds what the others stored.
            rocks = RocksIndex.open(stores.indexDirectory());
            index = new CachingIndex(new StoreBackedIndex(rocks, served, stores.links(), clock), INDEX_CACHE_ENTRIES);
        } catch (RuntimeException e) {
            if (stores != null) {
                stores.close();
            }
            threads.close();
            throw e;
        }
        // Reads that find bytes gone drop their index entry: the index is reconciled lazily, never by a scan.
        BlobStore store = new ReconcilingBlobStore(served, index);
        UseLog uses = new UseLog(clock);
        ManifestCache hot = new ManifestCache(HOT_MANIFEST_BYTES);
        Path root = config.storage().path();
        Evictor evictor;
        try {
            EvictionConfig bounds = config.storage().eviction();
            Optional<DiskTier> tier = stores.tier();
            // On S3 the bucket is bounded: checks run by themselves only when maxSize is set (else upkeep only).
            EvictionSettings eviction = new EvictionSettings(
                    store,
                    index,
                    rocks,
                    hot,
                    root,
                    bounds,
                    pins,
                    uses,
                    clock,
                    stores.bucket().isEmpty() || bounds.bounded());
            evictor = stores.bucket().isEmpty()
                    ? Evictor.open(eviction, meters)
                    : Evictor.open(
                            eviction,
                            new BucketEvictionSettings(
                                    stores.bucket().get(),
                                    stores.blobs(),
                                    bounds.grace(),
                                    pending,
                                    new LocalReplicaIndex(
                                            rocks,
                                            index,
                                            hot,
                                            tier.map(t -> (Consumer<Digest>) t::dropCopy)
                                                    .orElse(digest -> {}))),
                            meters);
        } catch (RuntimeException e) {
            index.close();
            store.close();
            stores.close();
            threads.close();
            throw e;
        }
        Readiness readiness = new Readiness(
                store, index, root.resolve("tmp"), config.storage().eviction().minFree(), evictor::freeBytes);
        ReserveBudget budget = new ReserveBudget();
        UpstreamLanes lanes = UpstreamLanes.open(config, clock, budget, meters);
        PullSettings settings = new PullSettings(
                freshness(config),
                config.maxStale(),
                config.recheckDeadline(),
                upstream -> config.findUpstream(upstream)
                        .filter(u -> u.policy().onTagGone() == TagGone.NOT_FOUND)
                        .isPresent(),
                budget,
                clock,
                threads.deadlines(),
                uses);
        PullThrough pull =
                new PullThrough(store, index, hot, lanes.upstreams(), threads.storage(), stores.leases(), settings);
        return new Core(stores, store, index, threads, lanes, pull, evictor, readiness);
    }

    /** The pull-through cache. */
    public PullThrough pull() {
        return pull;
    }

    /** The store every blob and manifest is kept in (reads that find bytes gone drop their index entry). */
    public BlobStore blobs() {
        return store;
    }

    /** The index of tags, manifests and repository links. */
    public CacheIndex index() {
        return index;
    }

    /** What keeps the cache within its bounds, and answers what it holds. */
    public Evictor evictor() {
        return evictor;
    }

    /** Whether the cache can serve. */
    public Readiness readiness() {
        return readiness;
    }

    /** The threads that do store work (they may block on the disk or the bucket, never on an upstream). */
    public Executor storage() {
        return threads.storage();
    }

    private static FreshnessPolicy freshness(WharfConfig config) {
        return new FreshnessPolicy() {
            @Override
            public Duration tagTtl(Target target, Tag tag) {
                return FreshnessRule.ttlFor(config.freshness(), path(target), tag.value(), Defaults.TAG_TTL);
            }

            /** A tag list lasts as long as the first rule covering every tag of the repository says. */
            @Override
            public Duration listTtl(Target target) {
                return FreshnessRule.ttlFor(config.freshness(), path(target), "*", Defaults.TAG_TTL);
            }
        };
    }

    private static String path(Target target) {
        return target.upstream() + "/" + target.repository();
    }

    @Override
    public void close() {
        evictor.close();
        lanes.close();
        threads.close();
        index.close();
        store.close();
        stores.close();
    }
}
