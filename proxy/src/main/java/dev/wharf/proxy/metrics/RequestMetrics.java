package dev.wharf.proxy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Counts what the {@code /v2/} edge answers: {@code wharf_requests_total{kind,result}} and
 * {@code wharf_stale_served_total{upstream}}. Every counter of a configured upstream is registered up front, so
 * counting a request allocates nothing. Thread-safe.
 */
public final class RequestMetrics {
    static final String REQUESTS = "wharf_requests_total";
    static final String STALE_SERVED = "wharf_stale_served_total";

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

    /** Registers the request counters, and one stale counter for each of {@code upstreams}. */
    public RequestMetrics(MeterRegistry registry, Collection<String> upstreams) {
        this.registry = Objects.requireNonNull(registry, "registry");
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
    }

    /** Counts one answer of {@code status} to a request of {@code kind}; a 1xx counts as 2xx. */
    public void served(Kind kind, int status) {
        int result = Math.max(0, Math.min(RESULTS.length - 1, status / 100 - 2));
        requests[kind.ordinal() * RESULTS.length + result].increment();
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
