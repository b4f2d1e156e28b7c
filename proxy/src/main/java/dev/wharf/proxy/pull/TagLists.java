package dev.wharf.proxy.pull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.wharf.proxy.upstream.UpstreamException;
import dev.wharf.storage.CacheIndex;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tag lists of repositories. The upstream's list is kept in memory for the list TTL of the freshness policy; within
 * it, clients are answered without asking. Concurrent requests for one repository share one upstream listing. When
 * the upstream fails, the tags this cache holds are answered (tags it could serve), unless it holds none; an upstream
 * that says the repository does not exist is believed.
 */
final class TagLists {
    private static final Logger LOG = LoggerFactory.getLogger(TagLists.class);
    private static final int MAX_LISTS = 10_000;

    private record Listed(List<String> tags, Instant at) {}

    private final CacheIndex index;
    private final Upstreams upstreams;
    private final FreshnessPolicy freshness;
    private final Clock clock;
    private final Cache<Target, Listed> lists =
            Caffeine.newBuilder().maximumSize(MAX_LISTS).executor(Runnable::run).build();
    private final Coalescer<Target, List<String>> listing = new Coalescer<>();

    TagLists(CacheIndex index, Upstreams upstreams, FreshnessPolicy freshness, Clock clock) {
        this.index = index;
        this.upstreams = upstreams;
        this.freshness = freshness;
        this.clock = clock;
    }

    /** Every tag of the repository, sorted; at once when a fresh list is held, else from the upstream's lane. */
    CompletableFuture<List<String>> find(Target target) {
        Listed held = lists.getIfPresent(target);
        if (held != null && clock.instant().isBefore(held.at().plus(freshness.listTtl(target)))) {
            return CompletableFuture.completedFuture(held.tags());
        }
        return listing.run(target, upstreams.of(target).executor(), () -> fetch(target));
    }

    private List<String> fetch(Target target) {
        try {
            List<String> tags = upstreams.of(target).client().fetchTags(target.repository()).stream()
                    .distinct()
                    .sorted()
                    .toList();
            lists.put(target, new Listed(tags, clock.instant()));
            return tags;
        } catch (UpstreamException e) {
            List<String> known = index.listTags(target.upstream(), target.repository());
            if (e.kind() == UpstreamException.Kind.NOT_FOUND || known.isEmpty()) {
                throw e;
            }
            LOG.warn("listing tags of {} from the cache: upstream failed: {}", target, e.getMessage());
            return known;
        }
    }
}
