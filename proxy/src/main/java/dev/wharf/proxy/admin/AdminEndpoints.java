package dev.wharf.proxy.admin;

import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/** The admin endpoints every Wharf has: the Prometheus scrape and liveness. */
public final class AdminEndpoints {
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private AdminEndpoints() {}

    /** {@code GET /metrics}: {@code scrape} (in-memory meters, read on the event loop) as Prometheus text. */
    public static AdminEndpoint metrics(Supplier<String> scrape) {
        return AdminEndpoint.now(
                request -> new AdminResponse(200, PROMETHEUS_TEXT, scrape.get().getBytes(StandardCharsets.UTF_8)));
    }

    /** {@code GET /healthz}: {@code ok} while the process answers; it asks nothing of storage or upstreams. */
    public static AdminEndpoint health() {
        return AdminEndpoint.now(request -> AdminResponse.text(200, "ok"));
    }
}
