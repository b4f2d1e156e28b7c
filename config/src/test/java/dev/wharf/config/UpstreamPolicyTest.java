package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UpstreamPolicyTest {
    private static final Path BASE = Path.of("/etc/wharf");

    @Test
    void defaultsApplyToEveryUpstreamAndNothingIsOffline() {
        WharfConfig config = ConfigLoader.defaults();
        for (UpstreamConfig upstream : config.upstreams()) {
            assertEquals(UpstreamPolicy.DEFAULT, upstream.policy());
            assertFalse(config.isOffline(upstream));
        }
        assertEquals(
                new UpstreamPolicy(
                        false,
                        32,
                        2,
                        Duration.ofSeconds(10),
                        new BreakerConfig(5, Duration.ofSeconds(30)),
                        TagGone.SERVE,
                        10),
                UpstreamPolicy.DEFAULT);
    }

    @Test
    void everyKeyIsRead() {
        String yaml = """
                upstreams:
                  - name: docker.io
                    url: https://registry-1.docker.io
                  - name: registry.local:5000
                    url: http://10.0.0.5:5000
                    offline: true
                    maxConcurrent: 4
                    retries: 0
                    negativeCacheTtl: 0s
                    breaker: {failures: 3, openFor: 2m}
                    onTagGone: notFound
                    rateLimitReserve: 0
                """;
        WharfConfig config = ConfigLoader.parse(yaml, Map.of(), BASE);
        UpstreamConfig local = config.findUpstream("registry.local:5000").orElseThrow();
        assertEquals(
                new UpstreamPolicy(
                        true, 4, 0, Duration.ZERO, new BreakerConfig(3, Duration.ofMinutes(2)), TagGone.NOT_FOUND, 0),
                local.policy());
        assertTrue(config.isOffline(local));
        assertFalse(config.isOffline(config.findUpstream("docker.io").orElseThrow()));
    }

    @Test
    void partialBreakerKeepsTheOtherDefault() {
        String yaml = "upstreams:\n  - name: x.io\n    url: https://x.io\n    breaker: {openFor: 5s}\n"
                + "defaultUpstream: x.io\n";
        UpstreamConfig x = ConfigLoader.parse(yaml, Map.of(), BASE).upstreams().get(0);
        assertEquals(new BreakerConfig(5, Duration.ofSeconds(5)), x.policy().breaker());
    }

    @Test
    void topLevelOfflineCoversEveryUpstream() {
        WharfConfig config = ConfigLoader.parse("offline: true\n", Map.of(), BASE);
        assertTrue(config.offline());
        assertTrue(config.upstreams().stream().allMatch(config::isOffline));
    }

    @Test
    void valuesOutOfRangeCannotBeBuilt() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new UpstreamPolicy(false, 0, 2, Duration.ZERO, BreakerConfig.DEFAULT, TagGone.SERVE, 10));
        assertThrows(
                IllegalArgumentException.class,
                () -> new UpstreamPolicy(false, 1, 11, Duration.ZERO, BreakerConfig.DEFAULT, TagGone.SERVE, 10));
        assertThrows(
                IllegalArgumentException.class,
                () -> new UpstreamPolicy(false, 1, 2, Duration.ZERO, BreakerConfig.DEFAULT, TagGone.SERVE, -1));
        assertThrows(IllegalArgumentException.class, () -> new BreakerConfig(0, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new BreakerConfig(1, Duration.ZERO));
    }
}
