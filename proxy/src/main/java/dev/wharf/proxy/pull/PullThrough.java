package dev.wharf.proxy.pull;

import dev.wharf.proxy.upstream.UpstreamException;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.CacheIndex;
import dev.wharf.storage.Digest;
import dev.wharf.storage.ManifestCache;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pull-through cache: a local store decorated with the upstreams. Every method blocks on storage or the
 * upstream, so callers run it on a worker thread, never on an event loop. Failures surface as {@link
 * UpstreamException} or {@link dev.wharf.storage.StorageException}; the HTTP edge maps them.
 */
public final class PullThrough {
    /** How long a tag's last manifest is served when the upstream cannot confirm it, unless told otherwise. */
    public static final Duration DEFAULT_MAX_STALE = Duration.ofDays(7);

    private static final Logger LOG = LoggerFactory.getLogger(PullThrough.class);

    /**
     * Where fills run: apart from the request workers, so that a fill outlives the request that started it and a
     * worker waiting for a fill's headers never starves the fill itself. One thread per blob being filled; idle
     * threads end after a minute; daemon threads, so an unfinished fill never holds the process up.
     */
    private static final ExecutorService FILL_THREADS = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "wharf-fill");
        thread.setDaemon(true);
        return thread;
    });

    private final CacheIndex index;
    private final Upstreams upstreams;
    private final ManifestPull manifests;
    private final BlobPull blobs;

    public PullThrough(
            BlobStore store,
            CacheIndex index,
            ManifestCache hot,
            Upstreams upstreams,
            FreshnessPolicy freshness,
            Clock clock) {
        this(store, index, hot, upstreams, freshness, DEFAULT_MAX_STALE, clock);
    }

    /** As the full constructor, gone tags served stale and no rate budget consulted. */
    public PullThrough(
            BlobStore store,
            CacheIndex index,
            ManifestCache hot,
            Upstreams upstreams,
            FreshnessPolicy freshness,
            Duration maxStale,
            Clock clock) {
        this(store, index, hot, upstreams, freshness, maxStale, GoneTags.SERVE, RateBudget.UNLIMITED, clock);
    }

    /**
     * {@code maxStale} bounds how long a tag is served while its upstream fails; {@code goneTags} says per upstream
     * whether a tag it no longer has is forgotten; {@code budget} says when stale tags are served without asking.
     */
    public PullThrough(
            BlobStore store,
            CacheIndex index,
            ManifestCache hot,
            Upstreams upstreams,
            FreshnessPolicy freshness,
            Duration maxStale,
            GoneTags goneTags,
            RateBudget budget,
            Clock clock) {
        if (maxStale.isNegative()) {
            throw new IllegalArgumentException("maxStale must not be negative");
        }
        this.index = index;
        this.upstreams = upstreams;
        this.manifests = new ManifestPull(store, index, hot, upstreams, freshness, maxStale, goneTags, budget, clock);
        this.blobs = new BlobPull(store, index, upstreams, clock, FILL_THREADS);
    }

    /**
     * The manifest named by {@code reference}, from the cache or fetched once from the upstream; {@link
     * Manifest#stale()} when it is a tag's last known manifest served because the upstream failed to confirm it.
     */
    public Manifest manifest(Target target, Reference reference) {
        return manifests.find(target, reference);
    }

    /**
     * A blob: the stored bytes, or on a miss the (shared) fill from the upstream once its response headers arrived.
     * Throws the upstream's or the store's failure when the fill cannot start; the caller closes the result.
     */
    public BlobSource openBlob(Target target, Digest digest) {
        return blobs.open(target, digest);
    }

    /**
     * Every tag of the repository, sorted: the upstream's list, or the tags this cache knows when the upstream
     * cannot answer. An upstream that says the repository does not exist is believed.
     */
    public List<String> tags(Target target) {
        try {
            return upstreams.of(target).fetchTags(target.repository()).stream()
                    .distinct()
                    .sorted()
                    .toList();
        } catch (UpstreamException e) {
            List<String> known = index.listTags(target.upstream(), target.repository());
            if (e.kind() == UpstreamException.Kind.NOT_FOUND || known.isEmpty()) {
                throw e;
            }
            LOG.warn("listing cached tags of {}: upstream failed: {}", target, e.getMessage());
            return known;
        }
    }
}
