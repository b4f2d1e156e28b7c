package dev.wharf.proxy.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final RequestMetrics metrics = new RequestMetrics(registry, List.of("docker.io", "ghcr.io"));

    @Test
    void answersAreCountedByKindAndStatusClass() {
        metrics.served(RequestMetrics.Kind.MANIFEST, 200);
        metrics.served(RequestMetrics.Kind.MANIFEST, 200);
        metrics.served(RequestMetrics.Kind.BLOB, 206);
        metrics.served(RequestMetrics.Kind.BLOB, 416);
        metrics.served(RequestMetrics.Kind.TAGS, 502);
        metrics.served(RequestMetrics.Kind.OTHER, 404);
        metrics.served(RequestMetrics.Kind.BASE, 307);

        assertEquals(2, requests("manifest", "2xx"));
        assertEquals(1, requests("blob", "2xx"));
        assertEquals(1, requests("blob", "4xx"));
        assertEquals(1, requests("tags", "5xx"));
        assertEquals(1, requests("other", "4xx"));
        assertEquals(1, requests("base", "3xx"));
        assertEquals(0, requests("manifest", "5xx"));
    }

    @Test
    void everyKindAndResultIsVisibleBeforeTheFirstRequest() {
        assertEquals(5 * 4, registry.find(RequestMetrics.REQUESTS).counters().size());
        assertEquals(2, registry.find(RequestMetrics.STALE_SERVED).counters().size());
    }

    @Test
    void staleManifestsAreCountedPerUpstream() {
        metrics.staleServed("docker.io");
        metrics.staleServed("docker.io");
        metrics.staleServed("ghcr.io");

        assertEquals(2, stale("docker.io"));
        assertEquals(1, stale("ghcr.io"));
    }

    @Test
    void anUnlistedUpstreamIsStillCounted() {
        metrics.staleServed("quay.io");

        assertEquals(1, stale("quay.io"));
    }

    @Test
    void thePrometheusScrapeNamesTheCountersAsDocumented() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        RequestMetrics counted = new RequestMetrics(prometheus, List.of("docker.io"));
        counted.served(RequestMetrics.Kind.MANIFEST, 200);
        counted.staleServed("docker.io");

        String text = prometheus.scrape();

        assertTrue(text.contains("wharf_requests_total{kind=\"manifest\",result=\"2xx\"} 1.0"), text);
        assertTrue(text.contains("wharf_requests_total{kind=\"blob\",result=\"5xx\"} 0.0"), text);
        assertTrue(text.contains("wharf_stale_served_total{upstream=\"docker.io\"} 1.0"), text);
        prometheus.close();
    }

    private double requests(String kind, String result) {
        return registry.get(RequestMetrics.REQUESTS)
                .tag("kind", kind)
                .tag("result", result)
                .counter()
                .count();
    }

    private double stale(String upstream) {
        return registry.get(RequestMetrics.STALE_SERVED)
                .tag("upstream", upstream)
                .counter()
                .count();
    }
}
