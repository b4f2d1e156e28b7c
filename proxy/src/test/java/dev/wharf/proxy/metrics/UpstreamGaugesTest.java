package dev.wharf.proxy.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.upstream.CircuitBreakerClient.State;
import dev.wharf.proxy.upstream.RateLimit;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class UpstreamGaugesTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicReference<Optional<RateLimit>> rateLimit = new AtomicReference<>(Optional.empty());
    private final AtomicReference<State> circuit = new AtomicReference<>(State.CLOSED);

    UpstreamGaugesTest() {
        UpstreamGauges.register(registry, "docker.io", rateLimit::get, circuit::get);
    }

    @Test
    void theRateLimitIsNotANumberUntilTheUpstreamAnnouncesOne() {
        assertTrue(Double.isNaN(gauge(UpstreamGauges.RATELIMIT_REMAINING)));

        rateLimit.set(Optional.of(
                new RateLimit(76, 100, Optional.of(Duration.ofHours(6)), Instant.parse("2026-01-01T00:00:00Z"))));

        assertEquals(76, gauge(UpstreamGauges.RATELIMIT_REMAINING));
    }

    @Test
    void theCircuitGaugeIsOneOnlyWhileOpen() {
        assertEquals(0, gauge(UpstreamGauges.CIRCUIT_OPEN));
        circuit.set(State.OPEN);
        assertEquals(1, gauge(UpstreamGauges.CIRCUIT_OPEN));
        circuit.set(State.HALF_OPEN);
        assertEquals(0, gauge(UpstreamGauges.CIRCUIT_OPEN));
    }

    @Test
    void thePrometheusScrapeNamesTheGaugesAsDocumented() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        UpstreamGauges.register(prometheus, "docker.io", rateLimit::get, circuit::get);
        circuit.set(State.OPEN);

        String text = prometheus.scrape();

        assertTrue(text.contains("wharf_upstream_ratelimit_remaining{upstream=\"docker.io\"} NaN"), text);
        assertTrue(text.contains("wharf_upstream_circuit_open{upstream=\"docker.io\"} 1.0"), text);
        prometheus.close();
    }

    private double gauge(String name) {
        return registry.get(name).tag("upstream", "docker.io").gauge().value();
    }
}
