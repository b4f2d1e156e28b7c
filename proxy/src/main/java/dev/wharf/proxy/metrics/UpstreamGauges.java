package dev.wharf.proxy.metrics;

import dev.wharf.proxy.upstream.CircuitBreakerClient;
import dev.wharf.proxy.upstream.RateLimit;
import dev.wharf.proxy.upstream.RegistryClient;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * An upstream's state as gauges, read at scrape time: {@code wharf_upstream_ratelimit_remaining{upstream}} (NaN until
 * the upstream announced a budget), {@code wharf_upstream_circuit_open{upstream}} (1 while open, else 0) and
 * {@code wharf_upstream_credential_failures_total{upstream}} (requests that failed on Wharf's own credentials).
 */
public final class UpstreamGauges {
    static final String RATELIMIT_REMAINING = "wharf_upstream_ratelimit_remaining";
    static final String CIRCUIT_OPEN = "wharf_upstream_circuit_open";
    static final String CREDENTIAL_FAILURES = "wharf_upstream_credential_failures";

    private UpstreamGauges() {}

    /** Registers the meters of {@code upstream}; the suppliers are called on the scraping thread and must not block. */
    public static void register(
            MeterRegistry registry,
            String upstream,
            Supplier<Optional<RateLimit>> rateLimit,
            Supplier<CircuitBreakerClient.State> circuit) {
        Gauge.builder(
                        RATELIMIT_REMAINING,
                        rateLimit,
                        r -> r.get().map(seen -> (double) seen.remaining()).orElse(Double.NaN))
                .description("Pulls left in the upstream's announced rate-limit window, as last seen")
                .tag("upstream", upstream)
                .strongReference(true)
                .register(registry);
        Gauge.builder(CIRCUIT_OPEN, circuit, c -> c.get() == CircuitBreakerClient.State.OPEN ? 1 : 0)
                .description("Whether calls to the upstream are refused by an open circuit breaker")
                .tag("upstream", upstream)
                .strongReference(true)
                .register(registry);
    }

    /**
     * Registers {@code client}'s count of requests that failed on Wharf's own credentials. The meter holds the client
     * weakly: its lane keeps it.
     */
    public static void countCredentialFailures(MeterRegistry registry, String upstream, RegistryClient client) {
        FunctionCounter.builder(CREDENTIAL_FAILURES, client, RegistryClient::credentialFailures)
                .description(
                        "Requests to the upstream that failed on Wharf's own credentials (refused or unobtainable)")
                .tag("upstream", upstream)
                .register(registry);
    }
}
