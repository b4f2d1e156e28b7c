package dev.wharf.proxy.admin;

import dev.wharf.proxy.eviction.CachedImage;
import dev.wharf.proxy.eviction.Evictor;
import dev.wharf.proxy.eviction.TagRef;
import dev.wharf.proxy.metrics.RecentTraffic;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code GET /}: the status page, HTML rendered here (no script): hit ratio and bytes saved since start and over the
 * last 5 minutes, hour and day ({@link RecentTraffic}, the figures of {@code /stats}), bytes stored
 * against the quota and the free space, each upstream's health and rate-limit budget, the largest and the most pulled
 * images. Every figure comes from the same meters {@code /metrics} exports and from the evictor's view of the cache.
 */
public final class StatusPage {
    private static final int TOP = 10;

    private final MeterRegistry meters;
    private final Evictor evictor;
    private final Map<String, String> upstreams;
    private final RecentTraffic traffic;

    public StatusPage(MeterRegistry meters, Evictor evictor, Map<String, String> upstreams, RecentTraffic traffic) {
        this.meters = meters;
        this.evictor = evictor;
        this.upstreams = upstreams;
        this.traffic = traffic;
    }

    /** The endpoint; the cache view is taken on the evictor's thread. */
    public AdminEndpoint endpoint() {
        return request -> evictor.view().thenApply(view -> AdminResponse.html(render(view)));
    }

    String render(Evictor.CacheView view) {
        double hits = count("wharf_cache_requests_total", "outcome", "hit")
                + count("wharf_cache_requests_total", "outcome", "stale")
                + count("wharf_cache_requests_total", "outcome", "coalesced");
        double misses = count("wharf_cache_requests_total", "outcome", "miss");
        double saved = count("wharf_served_bytes_total", "source", "cache");
        double fetched = count("wharf_served_bytes_total", "source", "upstream");
        StringBuilder html = new StringBuilder(
                "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Wharf status</title><style>"
                        + "body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;"
                        + "margin-bottom:1.5em}td,th{border:1px solid #ccc;padding:.3em .7em;text-align:left}"
                        + ".figure{font-size:1.6em;font-weight:bold}</style></head><body><h1>Wharf</h1>");
        html.append("<h2>Since start</h2><table>");
        row(html, "Hit ratio", "hit-ratio", hits + misses == 0 ? "no requests yet" : percent(hits / (hits + misses)));
        row(html, "Answers from the cache", "hits", String.valueOf((long) hits));
        row(html, "Answers fetched upstream", "misses", String.valueOf((long) misses));
        row(html, "Bytes saved (served from the cache)", "bytes-saved", bytes(saved));
        row(html, "Bytes fetched upstream", "bytes-fetched", bytes(fetched));
        html.append("</table>");
        recent(html);
        html.append("<h2>Storage</h2><table>");
        row(html, "Stored", "stored", bytes(view.storedBytes()));
        row(
                html,
                "Quota (storage.maxSize)",
                "quota",
                evictor.bounds().bounded() ? bytes(evictor.bounds().maxSize()) : "unbounded");
        if (evictor.bounds().bounded()) {
            row(
                    html,
                    "Quota used",
                    "quota-used",
                    percent((double) view.storedBytes() / evictor.bounds().maxSize()));
        }
        row(html, "Free on the filesystem", "free", bytes(evictor.freeBytes()));
        row(html, "Images", "images", String.valueOf(view.images().size()));
        html.append("</table><h2>Upstreams</h2><table><tr><th>Upstream</th><th>Health</th><th>Breaker</th>"
                + "<th>Rate limit left</th></tr>");
        for (Map<String, Object> upstream : UpstreamsEndpoint.states(meters, upstreams)) {
            html.append("<tr><td>")
                    .append(escape(String.valueOf(upstream.get("name"))))
                    .append("</td><td>")
                    .append(upstream.get("health"))
                    .append("</td><td>")
                    .append(upstream.get("breaker"))
                    .append("</td><td>")
                    .append(
                            upstream.get("rateLimitRemaining") == null
                                    ? "not announced"
                                    : upstream.get("rateLimitRemaining"))
                    .append("</td></tr>");
        }
        html.append("</table>");
        images(
                html,
                "Largest images",
                "largest",
                view.images().stream()
                        .sorted(Comparator.comparingLong(CachedImage::bytes).reversed())
                        .limit(TOP)
                        .toList());
        images(
                html,
                "Most pulled images",
                "most-pulled",
                view.images().stream()
                        .filter(i -> evictor.pulls(i.root()) > 0)
                        .sorted(Comparator.comparingLong((CachedImage i) -> evictor.pulls(i.root()))
                                .reversed())
                        .limit(TOP)
                        .toList());
        return html.append("</body></html>").toString();
    }

    /** One row per window; each cell's id is the window and the figure, such as {@code w5m-hit-ratio}. */
    private void recent(StringBuilder html) {
        html.append("<h2>Recent traffic</h2><p id=\"windows-since\">Counted in memory since this process started (")
                .append(escape(traffic.since().toString()))
                .append("): the windows start empty at every restart.</p><table id=\"windows\"><tr><th>Window</th>")
                .append("<th>Requests</th><th>Hit ratio</th><th>From the cache</th><th>Fetched upstream</th>")
                .append("<th>Bytes saved</th><th>Bytes fetched upstream</th></tr>");
        for (RecentTraffic.Window w : traffic.windows()) {
            String id = "w" + StatsEndpoint.label(w) + "-";
            html.append("<tr><th>Last ").append(StatsEndpoint.label(w)).append("</th>");
            cell(html, id + "requests", String.valueOf(w.requests()));
            cell(
                    html,
                    id + "hit-ratio",
                    w.hitRatio().isPresent() ? percent(w.hitRatio().getAsDouble()) : "none");
            cell(html, id + "hits", String.valueOf(w.fromCache()));
            cell(html, id + "misses", String.valueOf(w.misses()));
            cell(html, id + "bytes-saved", bytes(w.bytesFromCache()));
            cell(html, id + "bytes-fetched", bytes(w.bytesFromUpstream()));
            html.append("</tr>");
        }
        html.append("</table>");
    }

    private static void cell(StringBuilder html, String id, String value) {
        html.append("<td id=\"").append(id).append("\">").append(escape(value)).append("</td>");
    }

    private void images(StringBuilder html, String title, String id, List<CachedImage> images) {
        html.append("<h2>")
                .append(title)
                .append("</h2><table id=\"")
                .append(id)
                .append("\"><tr><th>Image</th><th>Size</th><th>Pulls</th><th>Last used</th></tr>");
        for (CachedImage image : images) {
            String name = image.tags().isEmpty()
                    ? image.root().toString()
                    : String.join(
                            ", ", image.tags().stream().map(TagRef::toString).toList());
            html.append("<tr><td>")
                    .append(escape(name))
                    .append("</td><td>")
                    .append(bytes(image.bytes()))
                    .append("</td><td>")
                    .append(evictor.pulls(image.root()))
                    .append("</td><td>")
                    .append(image.lastUse())
                    .append("</td></tr>");
        }
        html.append("</table>");
    }

    private double count(String name, String key, String value) {
        return meters.find(name).tag(key, value).counters().stream()
                .mapToDouble(Counter::count)
                .sum();
    }

    private static void row(StringBuilder html, String label, String id, String value) {
        html.append("<tr><th>")
                .append(label)
                .append("</th><td class=\"figure\" id=\"")
                .append(id)
                .append("\">")
                .append(escape(value))
                .append("</td></tr>");
    }

    private static String percent(double ratio) {
        return String.format(Locale.ROOT, "%.1f%%", ratio * 100);
    }

    /** Exact bytes with a binary unit beside them, so a test and a reader both find the figure. */
    static String bytes(double bytes) {
        long exact = (long) bytes;
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double scaled = bytes;
        int unit = 0;
        while (scaled >= 1024 && unit < units.length - 1) {
            scaled /= 1024;
            unit++;
        }
        String human = unit == 0 ? exact + " B" : String.format(Locale.ROOT, "%.1f %s", scaled, units[unit]);
        return human + " (" + exact + " bytes)";
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
