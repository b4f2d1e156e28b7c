package dev.wharf.proxy.pull;

import dev.wharf.storage.BlobStore;
import dev.wharf.storage.CacheIndex;
import dev.wharf.storage.Digest;
import dev.wharf.storage.FillLeases;
import dev.wharf.storage.ManifestCache;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The pull-through cache: a local store decorated with the upstreams. Every operation returns at once with a future:
 * lookups in the store and index run on the {@code storage} executor, upstream calls on the upstream's own lane
 * ({@link Upstreams}), so a hung upstream never holds a thread that a cache hit needs. Failures complete the future
 * with an {@link dev.wharf.proxy.upstream.UpstreamException} or a {@link dev.wharf.storage.StorageException}; the HTTP
 * edge maps them. Cancelling a future (the client left) withdraws the caller from upstream work not yet started.
 */
public final class PullThrough {
    private final ManifestPull manifests;
    private final BlobPull blobs;
    private final TagLists tags;
    private final ImagePull images;
    private final ReferrersPull referrers;
    private final Executor storage;
    private final BlobStore store;
    private final Upstreams upstreams;
    private final ServedDigests uses;

    /**
     * {@code storage} runs store and index work (it may block on the disk, never on an upstream); {@code leases} let
     * replicas sharing the store take turns at filling a digest.
     */
    public PullThrough(
            BlobStore store,
            CacheIndex index,
            ManifestCache hot,
            Upstreams upstreams,
            Executor storage,
            FillLeases leases,
            PullSettings settings) {
        this.storage = storage;
        this.store = store;
        this.upstreams = upstreams;
        this.uses = settings.uses();
        this.manifests = new ManifestPull(store, index, hot, upstreams, settings);
        this.blobs = new BlobPull(store, index, upstreams, storage, settings.clock(), leases, settings.scheduler());
        this.tags = new TagLists(index, upstreams, settings.freshness(), settings.clock());
        this.images = new ImagePull(this::manifest, this::ensureBlob);
        this.referrers = new ReferrersPull(manifests, index, upstreams, settings);
    }

    /**
     * The manifest named by {@code reference}, from the cache or fetched once from the upstream; {@link
     * Manifest#stale()} when it is a tag's last known manifest served because the upstream failed to confirm it in
     * time. Also the way to make sure a manifest is stored: a returned manifest is in the store.
     */
    public CompletableFuture<Manifest> manifest(Target target, Reference reference) {
        CompletableFuture<Manifest> found = Futures.on(storage, () -> manifests.find(target, reference));
        found.thenAccept(manifest -> uses.served(manifest.digest()));
        return found;
    }

    /**
     * A blob: the stored bytes, or on a miss the (shared) fill from the upstream once its response headers arrived;
     * fails with the upstream's or the store's failure when the fill cannot start. The receiver closes the source.
     */
    public CompletableFuture<BlobSource> openBlob(Target target, Digest digest) {
        CompletableFuture<BlobSource> opened = Futures.on(storage, () -> blobs.open(target, digest));
        opened.thenAccept(source -> uses.served(digest));
        return opened;
    }

    /**
     * Makes sure a blob is stored, fetching it once (joined with any client's fill of it) when missing; completes
     * with its size. For prewarm and export, which need the bytes kept rather than served.
     */
    public CompletableFuture<Long> ensureBlob(Target target, Digest digest) {
        return Futures.on(storage, () -> blobs.ensure(target, digest));
    }

    /**
     * The size of a blob the store holds; empty when it holds none. Never asks an upstream: what prewarm's plan uses
     * to tell the bytes still to fetch.
     */
    public CompletableFuture<Optional<Long>> findStoredSize(Digest digest) {
        return Futures.on(storage, () -> CompletableFuture.completedFuture(store.findSize(digest)));
    }

    /**
     * Makes sure a whole image is stored: the manifest {@code reference} names, for an index the manifests of
     * {@code platforms} (every platform it lists when empty), and every config and layer they reference; each through
     * the same coalesced fills as clients' pulls. For prewarm and export, which need no HTTP. Fails with the first
     * failure of any part (parts already stored stay stored).
     */
    public CompletableFuture<StoredImage> ensureImage(Target target, Reference reference, Set<Platform> platforms) {
        return images.ensure(target, reference, platforms);
    }

    /** How many blobs are being fetched from upstreams right now (each counted once, however many clients wait). */
    public int fillsInFlight() {
        return blobs.fillsInFlight();
    }

    /** How many requests wait on the fills in flight: the one that started each fill and every coalesced join. */
    public int fillJoins() {
        return blobs.fillJoins();
    }

    /**
     * The referrers of {@code subject} in the repository (an OCI image index, never absent: empty when there are none),
     * narrowed to {@code artifactType} when given; kept like a tag's manifest (see {@link ReferrersTag}), so stale
     * when the upstream fails to answer and nothing fresher is cached.
     */
    public CompletableFuture<Referrers> referrers(Target target, Digest subject, Optional<String> artifactType) {
        return Futures.on(storage, () -> referrers.find(target, subject))
                .thenApply(index -> Referrers.of(index, artifactType));
    }

    /**
     * Every tag of the repository, sorted: the upstream's list (held briefly), or the tags this cache knows when the
     * upstream cannot answer. An upstream that says the repository does not exist is believed.
     */
    public CompletableFuture<List<String>> tags(Target target) {
        return Futures.on(storage, () -> tags.find(target));
    }

    /**
     * Every repository name of the upstream's catalog, asked on its lane each time (prewarm's repository globs use
     * it, a few times a day); fails with the upstream's failure, {@code NOT_FOUND}, {@code UNAUTHORIZED} or {@code
     * DENIED} where it offers no catalog.
     */
    public CompletableFuture<List<String>> catalog(String upstream) {
        Upstreams.Lane lane = upstreams.of(upstream);
        return CompletableFuture.supplyAsync(() -> lane.client().fetchCatalog(), lane.executor());
    }
}
