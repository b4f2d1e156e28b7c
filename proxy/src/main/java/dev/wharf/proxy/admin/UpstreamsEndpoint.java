package dev.wharf.proxy.admin;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /upstreams}: every configured upstream with its health as Wharf sees it: whether its circuit breaker is
 * open (calls refused at once) and the pulls its announced rate limit leaves. Read from the upstream gauges, so it never
 * calls an upstream and shows no credential. Offline upstreams have no gauges and say so.
 */
public final class UpstreamsEndpoint {
    private UpstreamsEndpoint() {}

    /** The state of each of {@code upstreams} (name to URL, in configuration order). */
    public static List<Map<String, Object>> states(MeterRegistry meters, Map<String, String> upstreams) {
        List<Map<String, Object>> states = new ArrayList<>();
        upstreams.forEach((name, url) -> {
            Gauge circuit = meters.find("wharf_upstream_circuit_open")
                    .tag("upstream", name)
                    .gauge();
            Gauge budget = meters.find("wharf_upstream_ratelimit_remaining")
                    .tag("upstream", name)
                    .gauge();
            Map<String, Object> state = new LinkedHashMap<>();
            state.put("name", name);
            state.put("url", url);
            if (circuit == null) {
                state.put("health", "offline");
                state.put("breaker", "none");
            } else {
                boolean open = circuit.value() >= 1;
                state.put("health", open ? "failing" : "ok");
                state.put("breaker", open ? "open" : "closed");
            }
            double remaining = budget == null ? Double.NaN : budget.value();
            state.put("rateLimitRemaining", Double.isNaN(remaining) ? null : (long) remaining);
            states.add(state);
        });
        return states;
    }

    /** The endpoint, answered on the event loop from in-memory gauges. */
    public static AdminEndpoint of(MeterRegistry meters, Map<String, String> upstreams) {
        return AdminEndpoint.now(request -> AdminResponse.json(200, Map.of("upstreams", states(meters, upstreams))));
    }
}
