package dev.wharf.proxy.upstream;

import dev.wharf.storage.Digest;
import dev.wharf.storage.RepositoryName;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Remembers an upstream's 404 for a manifest (by repository and tag or digest) or a blob (by repository and digest)
 * for {@code ttl}, and answers {@code NOT_FOUND} again without calling the upstream. A manifest HEAD and GET share
 * one entry. Tag lists are not cached. Holds at most {@value #MAX_ENTRIES} entries. Thread-safe.
 */
public final class NegativeCachingClient implements UpstreamClient {
    static final int MAX_ENTRIES = 10_000;

    private record Key(boolean blob, RepositoryName repo, String reference) {}

    private record Miss(Instant expires, String message) {}

    private final UpstreamClient delegate;
    private final Duration ttl;
    private final Clock clock;
    private final Map<Key, Miss> misses = new ConcurrentHashMap<>();

    public NegativeCachingClient(UpstreamClient delegate, Duration ttl, Clock clock) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.ttl = Objects.requireNonNull(ttl, "ttl");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public ManifestHead headManifest(RepositoryName repo, String reference) {
        return call(new Key(false, repo, reference), () -> delegate.headManifest(repo, reference));
    }

    @Override
    public ManifestResponse fetchManifest(RepositoryName repo, String reference) {
        return call(new Key(false, repo, reference), () -> delegate.fetchManifest(repo, reference));
    }

    /** A 404 here means the upstream has no referrers API; it is remembered as any other. */
    @Override
    public ManifestResponse fetchReferrers(RepositoryName repo, Digest subject) {
        // "/" is in no tag or digest: the key cannot meet a manifest's.
        return call(new Key(false, repo, "referrers/" + subject), () -> delegate.fetchReferrers(repo, subject));
    }

    @Override
    public BlobResponse fetchBlob(RepositoryName repo, Digest digest) {
        return call(new Key(true, repo, digest.toString()), () -> delegate.fetchBlob(repo, digest));
    }

    @Override
    public List<String> fetchTags(RepositoryName repo) {
        return delegate.fetchTags(repo);
    }

    @Override
    public List<String> fetchCatalog() {
        return delegate.fetchCatalog();
    }

    private <T> T call(Key key, Supplier<T> upstreamCall) {
        Instant now = clock.instant();
        Miss miss = misses.get(key);
        if (miss != null) {
            if (now.isBefore(miss.expires())) {
                throw new UpstreamException(UpstreamException.Kind.NOT_FOUND, 404, miss.message());
            }
            misses.remove(key, miss);
        }
        try {
            return upstreamCall.get();
        } catch (UpstreamException e) {
            if (e.kind() == UpstreamException.Kind.NOT_FOUND && !ttl.isZero() && !ttl.isNegative()) {
                remember(key, new Miss(clock.instant().plus(ttl), e.getMessage()));
            }
            throw e;
        }
    }

    private void remember(Key key, Miss miss) {
        if (misses.size() >= MAX_ENTRIES) {
            Instant now = clock.instant();
            misses.values().removeIf(m -> !now.isBefore(m.expires()));
            if (misses.size() >= MAX_ENTRIES) {
                // Everything is young: a flood of distinct misses; forgetting them only costs upstream calls.
                misses.clear();
            }
        }
        misses.put(key, miss);
    }
}
