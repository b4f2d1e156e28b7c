package dev.wharf.proxy.pull;

import dev.wharf.proxy.upstream.ManifestResponse;
import dev.wharf.proxy.upstream.UpstreamException;
import dev.wharf.storage.CacheIndex;
import dev.wharf.storage.Digest;
import dev.wharf.storage.Tag;
import dev.wharf.storage.TagEntry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The referrers of a digest: the index of manifests whose {@code subject} it is. Fetched from the upstream's referrers
 * API; when the upstream has none (a 404, as distribution 2.8 answers), from the referrers tag schema ({@link
 * ReferrersTag}); when neither has anything, an empty index. Whatever the upstream answered is kept like a tag's
 * manifest, under the referrers tag, so it is re-checked as often as a tag of that name, served stale within {@code
 * maxStale} when the upstream fails (or after the re-check deadline, while the fetch goes on), served offline, and
 * carried by export. Fetches are coalesced per repository and digest and run on the upstream's lane.
 */
final class ReferrersPull {
    private static final Logger LOG = LoggerFactory.getLogger(ReferrersPull.class);
    private static final byte[] EMPTY = ("{\"schemaVersion\":2,\"mediaType\":\"" + Referrers.MEDIA_TYPE
                    + "\",\"manifests\":[]}")
            .getBytes(StandardCharsets.US_ASCII);
    private static final Set<UpstreamException.Kind> OUTAGES = EnumSet.of(
            UpstreamException.Kind.UNAVAILABLE,
            UpstreamException.Kind.RATE_LIMITED,
            UpstreamException.Kind.TOO_LARGE,
            UpstreamException.Kind.PROTOCOL);

    private record Key(Target target, Digest subject) {}

    private final ManifestPull manifests;
    private final CacheIndex index;
    private final Upstreams upstreams;
    private final PullSettings settings;
    private final Clock clock;
    private final Coalescer<Key, Manifest> fetches = new Coalescer<>();

    ReferrersPull(ManifestPull manifests, CacheIndex index, Upstreams upstreams, PullSettings settings) {
        this.manifests = manifests;
        this.index = index;
        this.upstreams = upstreams;
        this.settings = settings;
        this.clock = settings.clock();
    }

    /** Runs on a storage thread: the referrers index of {@code subject}, from the cache while fresh, else fetched. */
    CompletableFuture<Manifest> find(Target target, Digest subject) {
        Tag tag = ReferrersTag.of(subject);
        Optional<Manifest> fresh = cachedIf(target, tag, true);
        if (fresh.isPresent()) {
            return CompletableFuture.completedFuture(fresh.get());
        }
        Upstreams.Lane lane = upstreams.of(target);
        CompletableFuture<Manifest> fetched = fetches.run(
                new Key(target, subject),
                lane.executor(),
                () -> cachedIf(target, tag, true).orElseGet(() -> fetch(lane, target, subject, tag)));
        // As for a tag: a client with a cached index within maxStale waits at most the re-check deadline.
        Optional<Manifest> last = cachedIf(target, tag, false);
        return last.isPresent() ? manifests.withDeadline(target, tag, fetched, last.get()) : fetched;
    }

    private Manifest fetch(Upstreams.Lane lane, Target target, Digest subject, Tag tag) {
        ManifestResponse response;
        try {
            response = ask(lane, target, subject, tag);
        } catch (UpstreamException e) {
            if (!OUTAGES.contains(e.kind())) {
                throw e;
            }
            Optional<Manifest> last = cachedIf(target, tag, false);
            if (last.isEmpty()) {
                throw e;
            }
            LOG.warn("serving the referrers of {} in {} stale: {}", subject, target, e.getMessage());
            return last.get().servedStale("stale: upstream " + target.upstream() + " unavailable");
        }
        Digest digest = Digest.sha256(response.body());
        if (!ManifestContents.isIndex(response.body())) {
            throw UpstreamException.protocol(
                    "upstream " + target.upstream() + ": the referrers of " + subject + " are not an image index");
        }
        Manifest manifest = manifests.store(target, digest, response);
        Instant now = clock.instant();
        index.putTag(target.upstream(), target.repository(), tag, new TagEntry(digest, Referrers.MEDIA_TYPE, now, now));
        return manifest;
    }

    /** The referrers API, else the referrers tag, else none. */
    private static ManifestResponse ask(Upstreams.Lane lane, Target target, Digest subject, Tag tag) {
        try {
            return lane.client().fetchReferrers(target.repository(), subject);
        } catch (UpstreamException e) {
            if (e.kind() != UpstreamException.Kind.NOT_FOUND) {
                throw e;
            }
        }
        try {
            return lane.client().fetchManifest(target.repository(), tag.value());
        } catch (UpstreamException e) {
            if (e.kind() != UpstreamException.Kind.NOT_FOUND) {
                throw e;
            }
        }
        return new ManifestResponse(EMPTY.clone(), Referrers.MEDIA_TYPE, Optional.empty());
    }

    /** The cached referrers index: only while fresh when {@code fresh}, else within {@code maxStale}. */
    private Optional<Manifest> cachedIf(Target target, Tag tag, boolean fresh) {
        Optional<TagEntry> entry = index.findTag(target.upstream(), target.repository(), tag);
        if (entry.isEmpty()) {
            return Optional.empty();
        }
        Instant verified = entry.get().verifiedAt();
        Instant now = clock.instant();
        boolean usable = fresh
                ? now.isBefore(verified.plus(settings.freshness().tagTtl(target, tag)))
                : !now.isAfter(verified.plus(settings.maxStale()));
        if (!usable) {
            return Optional.empty();
        }
        return manifests.cached(entry.get().digest());
    }
}
