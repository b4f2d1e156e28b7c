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
    void aBucketIsNotBoundedByMaxSize() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> ConfigLoader.parse("storage: {maxSize: 1GiB, s3: {bucket: wharf-cache}}", Map.of(), BASE));

        assertEquals(
                List.of("storage.maxSize: not applied to a bucket (expected: no maxSize with storage.s3 (bound the"
                        + " local copies with storage.s3.diskTier))"),
                e.problems());
    }
}
