package dev.wharf.proxy.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.IntSupplier;

/**
 * {@code wharf_fills_in_flight}: blobs being fetched from upstreams right now, and {@code wharf_fill_waiters}: the
 * requests waiting on them; read at scrape time.
 */
public final class FillsGauge {
    static final String FILLS = "wharf_fills_in_flight";
    static final String JOINS = "wharf_fill_waiters";

    private FillsGauge() {}

    /** Registers the gauges of {@code fills} and {@code joins}, which must not block. */
    public static void register(MeterRegistry registry, IntSupplier fills, IntSupplier joins) {
        Gauge.builder(FILLS, fills, f -> f.getAsInt())
                .description("Blobs being fetched from upstreams, each counted once however many clients wait for it")
                .strongReference(true)
                .register(registry);
        Gauge.builder(JOINS, joins, j -> j.getAsInt())
                .description("Requests waiting on the blobs being fetched: the one that started each fetch and every"
                        + " coalesced join")
                .strongReference(true)
                .register(registry);
    }
}
