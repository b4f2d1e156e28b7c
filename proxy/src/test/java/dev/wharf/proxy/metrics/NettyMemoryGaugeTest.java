package dev.wharf.proxy.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.lang.reflect.Proxy;
import org.junit.jupiter.api.Test;

class NettyMemoryGaugeTest {
    private static final int MIB = 1024 * 1024;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void theGaugeFollowsTheDirectMemoryTheAllocatorHolds() {
        // Unpooled, so that a release gives the memory back at once and the figure falls again.
        UnpooledByteBufAllocator allocator = new UnpooledByteBufAllocator(true);
        NettyMemoryGauge.register(registry, allocator);
        assertEquals(0, gauge());

        ByteBuf buffer = allocator.directBuffer(MIB, MIB);
        try {
            assertTrue(gauge() >= MIB, "one MiB held: " + gauge());
        } finally {
            buffer.release();
        }

        assertEquals(0, gauge());
    }

    @Test
    void anAllocatorThatDoesNotReportGivesNotANumber() {
        ByteBufAllocator silent = (ByteBufAllocator) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {ByteBufAllocator.class}, (proxy, method, args) -> {
                    throw new UnsupportedOperationException(method.getName());
                });
        NettyMemoryGauge.register(registry, silent);

        assertTrue(Double.isNaN(gauge()));
    }

    @Test
    void thePrometheusScrapeNamesTheGaugeAsDocumented() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        NettyMemoryGauge.register(prometheus, ByteBufAllocator.DEFAULT);
        ByteBuf buffer = ByteBufAllocator.DEFAULT.directBuffer(MIB, MIB);
        try {
            String text = prometheus.scrape();

            String line = text.lines()
                    .filter(l -> l.startsWith("wharf_netty_direct_memory_used_bytes "))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(text));
            assertTrue(Double.parseDouble(line.substring(line.indexOf(' ') + 1)) >= MIB, line);
            assertTrue(text.contains("# TYPE wharf_netty_direct_memory_used_bytes gauge"), text);
        } finally {
            buffer.release();
            prometheus.close();
        }
    }

    private double gauge() {
        return registry.get(NettyMemoryGauge.DIRECT_USED).gauge().value();
    }
}
