package dev.wharf.proxy.pull;

import dev.wharf.proxy.upstream.ManifestHead;
import dev.wharf.proxy.upstream.ManifestResponse;
import dev.wharf.proxy.upstream.UpstreamClient;
import dev.wharf.proxy.upstream.UpstreamException;
import dev.wharf.storage.BlobReader;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.BlobWriter;
import dev.wharf.storage.CacheIndex;
import dev.wharf.storage.Digest;
import dev.wharf.storage.DigestEntry;
import dev.wharf.storage.ManifestCache;
import dev.wharf.storage.StorageException;
import dev.wharf.storage.Tag;
import dev.wharf.storage.TagEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Manifests by tag or digest. A digest is served from the cache without asking the upstream. A tag is served from
 * the cache while fresh; once stale it is re-checked with one (coalesced) HEAD, and a changed digest is fetched.
 * When the re-check fails because the upstream is down, rate limiting or misbehaving, the last known manifest is
 * served, marked stale, for at most {@code maxStale} after the upstream last confirmed it; later the failure
 * propagates. A tag the upstream no longer has keeps being served, marked stale, whatever its age, unless its
 * upstream's {@link GoneTags} says to forget it. While an upstream's {@link RateBudget} is low, a stale tag within
 * {@code maxStale} is served from the cache, marked stale, without a re-check. A client never waits longer than the
 * re-check deadline for a tag it has cached within {@code maxStale}: past it, the cached manifest is served stale
 * while the re-check goes on. Lookups run on storage threads; upstream calls run on the upstream's lane.
 */
final class ManifestPull {
    private static final Logger LOG = LoggerFactory.getLogger(ManifestPull.class);

    private static final Set<UpstreamException.Kind> OUTAGES = EnumSet.of(
            UpstreamException.Kind.UNAVAILABLE,
            UpstreamException.Kind.RATE_LIMITED,
            UpstreamException.Kind.TOO_LARGE,
            UpstreamException.Kind.PROTOCOL);

    private record TagKey(Target target, Tag tag) {}

    private record DigestKey(Target target, Digest digest) {}

    private final BlobStore blobs;
    private final CacheIndex index;
    private final ManifestCache hot;
    private final Upstreams upstreams;
    private final FreshnessPolicy freshness;
    private final Duration maxStale;
    private final Duration recheckDeadline;
    private final GoneTags goneTags;
    private final RateBudget budget;
    private final Clock clock;
    private final Scheduler scheduler;
    private final Membership membership;
    private final Coalescer<DigestKey, Manifest> byDigest = new Coalescer<>();
    private final Coalescer<TagKey, Manifest> byTag = new Coalescer<>();

    ManifestPull(BlobStore blobs, CacheIndex index, ManifestCache hot, Upstreams upstreams, PullSettings settings) {
        this.blobs = blobs;
        this.index = index;
        this.hot = hot;
        this.upstreams = upstreams;
        this.freshness = settings.freshness();
        this.maxStale = settings.maxStale();
        this.recheckDeadline = settings.recheckDeadline();
        this.goneTags = settings.goneTags();
        this.budget = settings.budget();
        this.clock = settings.clock();
        this.scheduler = settings.scheduler();
        this.membership = new Membership(index, upstreams);
    }

    /**
     * Runs on a storage thread: the manifest {@code reference} names in {@code target}, at once from the cache, or
     * from work on the upstream's lane. Cancelling the future withdraws this caller from work not yet started.
     */
    CompletableFuture<Manifest> find(Target target, Reference reference) {
        if (reference.isDigest()) {
            return byDigest(target, reference.digest().orElseThrow());
        }
        return byTag(target, reference.tag().orElseThrow());
    }

    private CompletableFuture<Manifest> byDigest(Target target, Digest digest) {
        Optional<Manifest> cached = cached(digest);
        if (cached.isPresent() && membership.isLinked(target, digest)) {
            return CompletableFuture.completedFuture(cached.get());
        }
        // Coalesced per repository, never across: one repository's fetch or confirmation says nothing of another's.
        // Look again inside: a fetch that ended after the lookup above has stored it already.
        Upstreams.Lane lane = upstreams.of(target);
        return byDigest.run(
                new DigestKey(target, digest),
                lane.executor(),
                () -> cached(digest)
                        // Cached through another repository or upstream: served once this repository is known to have
                        // it.
                        .map(stored -> membership.isLinked(target, digest)
                                ? stored
                                : membership.confirmManifest(target, stored))
                        .orElseGet(() -> {
                            ManifestResponse response =
                                    lane.client().fetchManifest(target.repository(), digest.toString());
                            return store(target, digest, response);
                        }),
                manifest -> manifest.as(manifest.outcome().joined()));
    }

    private CompletableFuture<Manifest> byTag(Target target, Tag tag) {
        Optional<TagEntry> entry = index.findTag(target.upstream(), target.repository(), tag);
        if (entry.isPresent()) {
            Optional<Manifest> last = cached(entry.get().digest());
            if (last.isPresent() && isFresh(target, tag, entry.get())) {
                return CompletableFuture.completedFuture(last.get());
            }
            Optional<Manifest> spared = last.flatMap(m -> spared(target, tag, entry.get(), m));
            if (spared.isPresent()) {
                return CompletableFuture.completedFuture(spared.get());
            }
            if (last.isPresent() && withinMaxStale(entry.get())) {
                return withDeadline(target, tag, recheck(target, tag), last.get());
            }
        }
        return recheck(target, tag);
    }

    private CompletableFuture<Manifest> recheck(Target target, Tag tag) {
        return byTag.run(
                new TagKey(target, tag),
                upstreams.of(target).executor(),
                () -> resolveTag(target, tag),
                manifest -> manifest.as(manifest.outcome().joined()));
    }

    /**
     * The re-check's answer if it comes within the deadline, else {@code last} marked stale; the re-check goes on
     * and updates the tag when it ends.
     */
    CompletableFuture<Manifest> withDeadline(
            Target target, Tag tag, CompletableFuture<Manifest> recheck, Manifest last) {
        CompletableFuture<Manifest> answer = new CompletableFuture<>();
        Futures.link(recheck, answer);
        Runnable cancelDeadline = scheduler.after(recheckDeadline, () -> {
            String why =
                    "stale: upstream " + target.upstream() + " did not answer in " + recheckDeadline.toMillis() + " ms";
            if (answer.complete(last.servedStale(why))) {
                LOG.warn("serving {}:{} stale: its re-check took over {} ms", target, tag, recheckDeadline.toMillis());
            }
        });
        // An answer in time needs its deadline no more: nothing waits in the scheduler for a request long answered.
        answer.whenComplete((manifest, failure) -> cancelDeadline.run());
        return answer;
    }

    /** Runs coalesced; looks again because a fill or re-check may have ended since the caller's lookup. */
    private Manifest resolveTag(Target target, Tag tag) {
        Optional<TagEntry> entry = index.findTag(target.upstream(), target.repository(), tag);
        if (entry.isEmpty()) {
            return fetchTag(target, tag);
        }
        return fresh(target, tag, entry.get())
                .or(() -> cached(entry.get().digest()).flatMap(last -> spared(target, tag, entry.get(), last)))
                .orElseGet(() -> revalidate(target, tag, entry.get()));
    }

    /** {@code last}, marked stale, when the upstream's budget is low and the entry is within maxStale. */
    private Optional<Manifest> spared(Target target, Tag tag, TagEntry entry, Manifest last) {
        if (!withinMaxStale(entry) || !budget.isLow(target.upstream())) {
            return Optional.empty();
        }
        LOG.warn(
                "serving {}:{} stale, last confirmed {} ago: upstream rate limit low",
                target,
                tag,
                Duration.between(entry.verifiedAt(), clock.instant()));
        return Optional.of(last.servedStale("stale: upstream " + target.upstream() + " rate limit low"));
    }

    private boolean withinMaxStale(TagEntry entry) {
        return Duration.between(entry.verifiedAt(), clock.instant()).compareTo(maxStale) <= 0;
    }

    /** The cached manifest of a tag entry still within its TTL; empty when stale or no longer cached. */
    private Optional<Manifest> fresh(Target target, Tag tag, TagEntry entry) {
        return isFresh(target, tag, entry) ? cached(entry.digest()) : Optional.empty();
    }

    private boolean isFresh(Target target, Tag tag, TagEntry entry) {
        Duration ttl = freshness.tagTtl(target, tag);
        return clock.instant().isBefore(entry.verifiedAt().plus(ttl));
    }

    private Manifest revalidate(Target target, Tag tag, TagEntry entry) {
        ManifestHead head;
        try {
            head = upstreams.of(target).client().headManifest(target.repository(), tag.value());
        } catch (UpstreamException e) {
            return stale(target, tag, entry, e);
        }
        if (head.digest().filter(entry.digest()::equals).isPresent()) {
            Optional<Manifest> cached = cached(entry.digest());
            if (cached.isPresent()) {
                Instant now = clock.instant();
                index.putTag(
                        target.upstream(),
                        target.repository(),
                        tag,
                        new TagEntry(entry.digest(), entry.mediaType(), entry.fetchedAt(), now));
                return cached.get();
            }
        }
        try {
            return fetchTag(target, tag);
        } catch (UpstreamException e) {
            // Registries may refuse the GET (rate limits count GETs, not HEADs) after answering the HEAD.
            return stale(target, tag, entry, e);
        }
    }

    /**
     * The last manifest known for the tag, marked stale, when the upstream failed to confirm it; rethrows {@code
     * failure} when it is not an outage or a missing tag, when an outage lasts past {@code maxStale} since the tag
     * was last confirmed, or when the manifest is no longer cached.
     */
    private Manifest stale(Target target, Tag tag, TagEntry entry, UpstreamException failure) {
        boolean gone = failure.kind() == UpstreamException.Kind.NOT_FOUND;
        if (gone && goneTags.forget(target.upstream())) {
            // Only the tag is forgotten: the manifest stays cached by digest for pulls that name it.
            index.deleteTag(target.upstream(), target.repository(), tag);
            LOG.info("forgetting {}:{}: upstream no longer has it", target, tag);
            throw failure;
        }
        Duration age = Duration.between(entry.verifiedAt(), clock.instant());
        if (!gone && (!OUTAGES.contains(failure.kind()) || age.compareTo(maxStale) > 0)) {
            throw failure;
        }
        Optional<Manifest> stale = cached(entry.digest());
        if (stale.isEmpty()) {
            throw failure;
        }
        String why = gone ? " no longer has this tag" : " unavailable";
        LOG.warn("serving {}:{} stale, last confirmed {} ago: {}", target, tag, age, failure.getMessage());
        return stale.get().servedStale("stale: upstream " + target.upstream() + why);
    }

    private Manifest fetchTag(Target target, Tag tag) {
        ManifestResponse response = upstreams.of(target).client().fetchManifest(target.repository(), tag.value());
        // The digest comes from the bytes; the upstream's header only chooses the algorithm and cross-checks.
        Digest digest =
                Digest.compute(response.digestHeader().map(Digest::algorithm).orElse("sha256"), response.body());
        if (response.digestHeader().isPresent()
                && !response.digestHeader().get().equals(digest)) {
            throw UpstreamException.digestMismatch(target.upstream(), "manifest", "its Docker-Content-Digest");
        }
        Manifest manifest = store(target, digest, response);
        Instant now = clock.instant();
        index.putTag(target.upstream(), target.repository(), tag, new TagEntry(digest, manifest.mediaType(), now, now));
        return manifest;
    }

    /** Keeps a manifest's exact bytes (verified against {@code digest}) and records it for {@code target}. */
    Manifest store(Target target, Digest digest, ManifestResponse response) {
        byte[] bytes = response.body();
        try (BlobWriter writer = blobs.create(digest, bytes.length)) {
            writer.write(ByteBuffer.wrap(bytes));
            writer.commit();
        }
        index.putDigest(digest, new DigestEntry(bytes.length, response.mediaType(), clock.instant()));
        hot.put(digest, bytes);
        Manifest manifest = new Manifest(digest, response.mediaType(), bytes).as(Outcome.MISS);
        // The upstream served it from this repository: the repository has it and everything it lists.
        membership.linkWithReferences(target, manifest);
        return manifest;
    }

    /** The stored manifest of {@code digest}; empty when not cached as a manifest. */
    Optional<Manifest> cached(Digest digest) {
        Optional<DigestEntry> entry =
                index.findDigest(digest).filter(e -> !e.mediaType().isEmpty());
        if (entry.isEmpty()) {
            return Optional.empty();
        }
        String mediaType = entry.get().mediaType();
        Optional<byte[]> bytes = hot.find(digest);
        if (bytes.isEmpty()) {
            bytes = readStored(digest);
            bytes.ifPresent(b -> hot.put(digest, b));
        }
        return bytes.map(b -> new Manifest(digest, mediaType, b));
    }

    private Optional<byte[]> readStored(Digest digest) {
        Optional<BlobReader> opened = blobs.open(digest);
        if (opened.isEmpty()) {
            return Optional.empty();
        }
        try (BlobReader reader = opened.get()) {
            if (reader.size() > UpstreamClient.MAX_MANIFEST_BYTES) {
                return Optional.empty();
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) reader.size());
            while (buffer.hasRemaining()) {
                if (reader.read(buffer, buffer.position()) < 0) {
                    throw new StorageException(StorageException.Kind.IO, "stored manifest is shorter than indexed");
                }
            }
            return Optional.of(buffer.array());
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.IO, "cannot read stored manifest " + digest, e);
        }
    }
}
