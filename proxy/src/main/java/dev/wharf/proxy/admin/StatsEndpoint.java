package dev.wharf.proxy.admin;

import dev.wharf.proxy.metrics.RecentTraffic;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /stats}: the registry API's traffic over the last 5 minutes, hour and day, in JSON: answers, manifests
 * and blobs by how the cache came by them, the hit ratio and the bytes served from the cache (saved) and fetched
 * upstream. The figures the status page shows, from the same {@link RecentTraffic}; answered on the event loop from
 * memory.
 */
public final class StatsEndpoint {
    private StatsEndpoint() {}

    /** The endpoint over {@code traffic}. */
    public static AdminEndpoint of(RecentTraffic traffic) {
        return AdminEndpoint.now(request -> AdminResponse.json(200, body(traffic)));
    }

    static Map<String, Object> body(RecentTraffic traffic) {
        List<Map<String, Object>> windows = new ArrayList<>();
        for (RecentTraffic.Window w : traffic.windows()) {
            Map<String, Object> window = new LinkedHashMap<>();
            window.put("window", label(w));
            window.put("minutes", w.length().toMinutes());
            window.put("requests", w.requests());
            Map<String, Object> answers = new LinkedHashMap<>();
            answers.put("hit", w.hits());
            answers.put("stale", w.stale());
            answers.put("coalesced", w.coalesced());
            answers.put("miss", w.misses());
            window.put("answers", answers);
            window.put("fromCache", w.fromCache());
            window.put("hitRatio", w.hitRatio().isPresent() ? w.hitRatio().getAsDouble() : null);
            window.put("bytesFromCache", w.bytesFromCache());
            window.put("bytesFromUpstream", w.bytesFromUpstream());
            windows.add(window);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("countingSince", traffic.since().toString());
        body.put("windows", windows);
        return body;
    }

    /** {@code 5m}, {@code 1h}, {@code 24h}. */
    static String label(RecentTraffic.Window window) {
        long minutes = window.length().toMinutes();
        return minutes % 60 == 0 ? minutes / 60 + "h" : minutes + "m";
    }
}
