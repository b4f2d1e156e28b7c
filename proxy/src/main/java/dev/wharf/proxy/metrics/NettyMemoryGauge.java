package dev.wharf.proxy.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;

/**
 * {@code wharf_netty_direct_memory_used_bytes}: the direct memory a Netty allocator holds (its chunks, whether their
 * buffers are in use or kept for reuse), read at scrape time; NaN for an allocator that does not report it.
 */
public final class NettyMemoryGauge {
    static final String DIRECT_USED = "wharf_netty_direct_memory_used_bytes";

    private NettyMemoryGauge() {}

    /** Registers the gauge of {@code allocator}, which should be the one the {@code /v2/} connections use. */
    public static void register(MeterRegistry registry, ByteBufAllocator allocator) {
        Gauge.builder(DIRECT_USED, allocator, NettyMemoryGauge::usedDirect)
                .description("Direct memory held by Netty's buffer allocator, in use or pooled for reuse. With"
                        + " cleaner-backed direct buffers (Java 17 without --add-opens, as shipped) it is part of"
                        + " jvm_buffer_memory_used_bytes{id=\"direct\"}, which also counts the JDK's own buffers"
                        + " and is the process total; with Netty's no-cleaner buffers only this gauge sees it")
                .baseUnit("bytes")
                .strongReference(true)
                .register(registry);
    }

    private static double usedDirect(ByteBufAllocator allocator) {
        return allocator instanceof ByteBufAllocatorMetricProvider provider
                ? provider.metric().usedDirectMemory()
                : Double.NaN;
    }
}
