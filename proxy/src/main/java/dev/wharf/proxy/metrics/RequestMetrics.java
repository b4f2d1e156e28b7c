package dev.wharf.proxy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Counts what the {@code /v2/} edge answers: {@code wharf_requests_total{kind,result}}, {@code
 * wharf_stale_served_total{upstream}}, manifests and blobs answered by how the cache came by them ({@code
 * wharf_cache_requests_total{kind,outcome}}) and the body bytes sent, from the cache or fetched upstream for the
 * request ({@code wharf_served_bytes_total{source}}). Every counter of a configured upstream is registered up front, so
 * counting a request allocates nothing. The same calls feed the per-minute {@link RecentTraffic} behind the status
 * page's and {@code /stats}' time windows. Thread-safe.
 */
public final class RequestMetrics {
    static final String REQUESTS = "wharf_requests_total";
    static final String STALE_SERVED = "wharf_stale_served_total";
    static final String CACHE_REQUESTS = "wharf_cache_requests_total";
    static final String SERVED_BYTES = "wharf_served_bytes_total";

    /** How the cache came by what it answered, as pull names it: {@code hit}, {@code miss}, {@code stale}, {@code coalesced}. */
    public static final List<String> OUTCOMES = List.of("hit", "miss", "stale", "coalesced");

    /** What a request asked for; {@code OTHER} is a request no route matched. */
    public enum Kind {
        MANIFEST,
        BLOB,
        TAGS,
        BASE,
        OTHER;

        final String tag = name().toLowerCase(Locale.ROOT);
    }

    private static final String[] RESULTS = {"2xx", "3xx", "4xx", "5xx"};

    private final MeterRegistry registry;
    // Indexed by kind.ordinal() * RESULTS.length + result class.
    private final Counter[] requests;
    private final Map<String, Counter> staleByUpstream;
    private final Map<String, Counter> cacheRequests = new HashMap<>();
    private final Counter bytesFromCache;
    private final Counter bytesFromUpstream;
    private final RecentTraffic traffic;

    /** Registers the request counters, and one stale counter for each of {@code upstreams}. */
    public RequestMetrics(MeterRegistry registry, Collection<String> upstreams) {
        this(registry, upstreams, new RecentTraffic(Clock.systemUTC()));
    }

    /** As {@link #RequestMetrics(MeterRegistry, Collection)}, also counting every answer into {@code traffic}. */
    public RequestMetrics(MeterRegistry registry, Collection<String> upstreams, RecentTraffic traffic) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.traffic = Objects.requireNonNull(traffic, "traffic");
        Kind[] kinds = Kind.values();
        this.requests = new Counter[kinds.length * RESULTS.length];
        for (Kind kind : kinds) {
            for (int r = 0; r < RESULTS.length; r++) {
                requests[kind.ordinal() * RESULTS.length + r] = Counter.builder(REQUESTS)
                        .description("Requests answered on the registry API, by what they asked for and status class")
                        .tag("kind", kind.tag)
                        .tag("result", RESULTS[r])
                        .register(registry);
            }
        }
        Map<String, Counter> stale = new HashMap<>();
        for (String upstream : upstreams) {
            stale.put(upstream, staleCounter(upstream));
        }
        this.staleByUpstream = Map.copyOf(stale);
        for (Kind kind : List.of(Kind.MANIFEST, Kind.BLOB)) {
            for (String outcome : OUTCOMES) {
                cacheRequests.put(
                        kind.tag + "/" + outcome,
                        Counter.builder(CACHE_REQUESTS)
                                .description("Manifests and blobs answered, by how the cache came by them: hit,"
                                        + " miss (fetched for this request), stale, coalesced (joined another's fetch)")
                                .tag("kind", kind.tag)
                                .tag("outcome", outcome)
                                .register(registry));
            }
        }
        this.bytesFromCache = servedBytes("cache");
        this.bytesFromUpstream = servedBytes("upstream");
    }

    /**
     * Counts one manifest or blob answered with {@code outcome} (one of {@link #OUTCOMES}) and its body of {@code
     * bytes} (0 for HEAD): a miss's bytes were fetched upstream, every other outcome's come from the cache.
     */
    public void answered(Kind kind, String outcome, long bytes) {
        Counter counter = cacheRequests.get(kind.tag + "/" + outcome);
        if (counter == null) {
            throw new IllegalArgumentException("not a manifest or blob outcome: " + kind + " " + outcome);
        }
        counter.increment();
        boolean fromUpstream = outcome.equals("miss");
        (fromUpstream ? bytesFromUpstream : bytesFromCache).increment(bytes);
        traffic.answered(OUTCOMES.indexOf(outcome), fromUpstream, bytes);
    }

    private Counter servedBytes(String source) {
        return Counter.builder(SERVED_BYTES)
                .description("Body bytes of manifests and blobs sent to clients: from the cache (hits, stale answers,"
                        + " coalesced joins) or fetched upstream for the request (misses)")
                .tag("source", source)
                .register(registry);
    }

    /** Counts one answer of {@code status} to a request of {@code kind}; a 1xx counts as 2xx. */
    public void served(Kind kind, int status) {
        int result = Math.max(0, Math.min(RESULTS.length - 1, status / 100 - 2));
        requests[kind.ordinal() * RESULTS.length + result].increment();
        traffic.served();
    }

    /** Counts one tag's last known manifest served because {@code upstream} did not confirm it. */
    public void staleServed(String upstream) {
        Counter counter = staleByUpstream.get(upstream);
        (counter != null ? counter : staleCounter(upstream)).increment();
    }

    private Counter staleCounter(String upstream) {
        return Counter.builder(STALE_SERVED)
                .description("Manifests served stale because the upstream could not confirm the tag")
                .tag("upstream", upstream)
                .register(registry);
    }
}
