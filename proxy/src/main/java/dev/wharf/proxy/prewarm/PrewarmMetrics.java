package dev.wharf.proxy.prewarm;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;

/**
 * Prewarm's meters, tagged by {@code rule} (the rule's name, which the configuration bounds):
 * {@code wharf_prewarm_runs_total} by {@code result} ({@code ok}, {@code failed}, {@code skipped}),
 * {@code wharf_prewarm_images_total}, {@code wharf_prewarm_fetched_bytes_total} and {@code wharf_prewarm_lag_seconds}
 * (since the rule's last run without failure; NaN before one).
 */
public final class PrewarmMetrics {
    private final MeterRegistry registry;
    private final Map<String, List<Meter>> byRule = new ConcurrentHashMap<>();

    public PrewarmMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Registers {@code rule}'s meters; {@code lagSeconds} is read at each scrape. */
    void register(String rule, DoubleSupplier lagSeconds) {
        List<Meter> meters = new ArrayList<>();
        for (String result : List.of("ok", "failed", "skipped")) {
            meters.add(runs(rule, result));
        }
        meters.add(images(rule));
        meters.add(bytes(rule));
        meters.add(Gauge.builder("wharf_prewarm_lag_seconds", lagSeconds::getAsDouble)
                .description("Seconds since the rule's last run without failure")
                .tag("rule", rule)
                .register(registry));
        byRule.put(rule, meters);
    }

    /** Removes a rule's meters (the rule is gone). */
    void unregister(String rule) {
        List<Meter> meters = byRule.remove(rule);
        if (meters != null) {
            meters.forEach(registry::remove);
        }
    }

    void ran(RunResult result) {
        runs(result.rule(), result.failed() ? "failed" : "ok").increment();
        images(result.rule()).increment(result.images());
        bytes(result.rule()).increment(result.bytesFetched());
    }

    void failed(String rule) {
        runs(rule, "failed").increment();
    }

    void skipped(String rule) {
        runs(rule, "skipped").increment();
    }

    private Counter runs(String rule, String result) {
        return Counter.builder("wharf_prewarm_runs_total")
                .description("Prewarm runs by result; skipped: due while the previous run was still going")
                .tags("rule", rule, "result", result)
                .register(registry);
    }

    private Counter images(String rule) {
        return Counter.builder("wharf_prewarm_images_total")
                .description("Images prewarm runs made sure of")
                .tag("rule", rule)
                .register(registry);
    }

    private Counter bytes(String rule) {
        return Counter.builder("wharf_prewarm_fetched_bytes")
                .baseUnit("bytes")
                .description("Blob bytes prewarm runs fetched from upstreams")
                .tag("rule", rule)
                .register(registry);
    }
}
