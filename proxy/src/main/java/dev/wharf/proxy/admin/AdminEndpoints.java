package dev.wharf.proxy.admin;

import dev.wharf.proxy.health.Readiness;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/** The admin endpoints every Wharf has: the Prometheus scrape, liveness and readiness. */
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

    /**
     * {@code GET /readyz}: {@code ready}, or {@code 503} with one line per problem ({@link Readiness}); the checks
     * touch the disk, so they run on {@code storage}.
     */
    public static AdminEndpoint readiness(Readiness readiness, Executor storage) {
        return AdminEndpoint.on(storage, request -> {
            List<String> problems = readiness.problems();
            return problems.isEmpty()
                    ? AdminResponse.text(200, "ready\n")
                    : AdminResponse.text(503, "not ready\n" + String.join("\n", problems) + "\n");
        });
    }
}
