package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvictionConfigTest {
    private static final Path BASE = Path.of("/etc/wharf");

    @Test
    void withoutKeysTheCacheIsUnbounded() {
        EvictionConfig eviction = ConfigLoader.parse("storage: {path: /var/lib/wharf}", Map.of(), BASE)
                .storage()
                .eviction();

        assertEquals(EvictionConfig.NONE, eviction);
        assertEquals(Duration.ofSeconds(30), eviction.checkEvery());
    }

    @Test
    void everyKeyIsRead() {
        EvictionConfig eviction = ConfigLoader.parse(
                        "storage: {path: /var/lib/wharf, maxSize: 200GiB, minFree: 10GB, evictEvery: 10s}",
                        Map.of(),
                        BASE)
                .storage()
                .eviction();

        assertEquals(new EvictionConfig(200L << 30, 10_000_000_000L, Duration.ofSeconds(10)), eviction);
    }

    @Test
    void invalidValuesAreReportedWithTheirPaths() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> ConfigLoader.parse("storage: {maxSize: 0, minFree: lots, evictEvery: 0s}", Map.of(), BASE));

        assertEquals(
                List.of(
                        "storage.maxSize: \"0\" (expected: a size above zero (leave it out for no bound))",
                        "storage.minFree: \"lots\" (expected: " + ByteSizes.EXPECTED + ")",
                        "storage.evictEvery: \"0s\" (expected: " + Durations.POSITIVE_EXPECTED + ")"),
                e.problems());
    }

    @Test
    void withABucketMaxSizeBoundsTheBucketAndEvictGraceIsRead() {
        EvictionConfig eviction = ConfigLoader.parse(
                        "storage: {maxSize: 1GiB, evictGrace: 20m, evictEvery: 1m, s3: {bucket: wharf-cache}}",
                        Map.of(),
                        BASE)
                .storage()
                .eviction();

        assertEquals(new EvictionConfig(1L << 30, 0, Duration.ofMinutes(1), Duration.ofMinutes(20)), eviction);
        assertEquals(
                Defaults.EVICTION_GRACE,
                ConfigLoader.parse("storage: {maxSize: 1GiB, s3: {bucket: wharf-cache}}", Map.of(), BASE)
                        .storage()
                        .eviction()
                        .grace());
    }

    @Test
    void invalidGracesAndAGraceWithoutABucketAreReportedWithTheirPaths() {
        for (String grace : List.of("0s", "8d", "soon")) {
            ConfigException e = assertThrows(
                    ConfigException.class,
                    () -> ConfigLoader.parse(
                            "storage: {maxSize: 1GiB, evictGrace: " + grace + ", s3: {bucket: wharf-cache}}",
                            Map.of(),
                            BASE));
            assertEquals(
                    List.of("storage.evictGrace: \"" + grace + "\" (expected: " + ConfigReader.GRACE_EXPECTED + ")"),
                    e.problems());
        }
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> ConfigLoader.parse("storage: {maxSize: 1GiB, evictGrace: 5m}", Map.of(), BASE));
        assertEquals(
                List.of("storage.evictGrace: without storage.s3 (expected: evictGrace only with storage.s3)"),
                e.problems());
    }
}
