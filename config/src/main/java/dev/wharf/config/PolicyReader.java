package dev.wharf.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** Reads the policy keys of one upstream entry ({@code offline}, {@code maxConcurrent}, ..., {@code rateLimitReserve}). */
final class PolicyReader {
    static final Set<String> KEYS = Set.of(
            "offline", "maxConcurrent", "retries", "negativeCacheTtl", "breaker", "onTagGone", "rateLimitReserve");
    static final String BOOLEAN_EXPECTED = "true or false";
    private static final Set<String> BREAKER_KEYS = Set.of("failures", "openFor");

    private PolicyReader() {}

    /** The policy of the upstream mapping {@code m}, defaults for absent keys; bad values are reported. */
    static UpstreamPolicy read(YamlMapping m) {
        UpstreamPolicy d = UpstreamPolicy.DEFAULT;
        boolean offline = m.parsed("offline", BOOLEAN_EXPECTED, PolicyReader::parseBoolean)
                .orElse(d.offline());
        int maxConcurrent = m.parsed("maxConcurrent", "an integer 1-1024", text -> parseInt(text, 1, 1024))
                .orElse(d.maxConcurrent());
        int retries = m.parsed("retries", "an integer 0-10", text -> parseInt(text, 0, 10))
                .orElse(d.retries());
        Duration ttl = m.parsed("negativeCacheTtl", Durations.EXPECTED, Durations::parse)
                .orElse(d.negativeCacheTtl());
        BreakerConfig breaker = m.node("breaker")
                .flatMap(node -> YamlMapping.open(
                        node, m.pathOf("breaker"), "a mapping with failures and openFor", m.context(), BREAKER_KEYS))
                .map(PolicyReader::readBreaker)
                .orElse(d.breaker());
        TagGone onTagGone =
                m.parsed("onTagGone", "serve or notFound", TagGone::parse).orElse(d.onTagGone());
        int reserve = m.parsed("rateLimitReserve", "an integer 0-1000000", text -> parseInt(text, 0, 1_000_000))
                .orElse(d.rateLimitReserve());
        return new UpstreamPolicy(offline, maxConcurrent, retries, ttl, breaker, onTagGone, reserve);
    }

    /** The top-level {@code offline} flag; empty when absent or after reporting a bad value. */
    static Optional<Boolean> readOffline(YamlMapping m) {
        return m.parsed("offline", BOOLEAN_EXPECTED, PolicyReader::parseBoolean);
    }

    /** {@code true} or {@code false}, any case; throws {@link IllegalArgumentException} otherwise. */
    static boolean parseBoolean(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("not a boolean");
        };
    }

    private static BreakerConfig readBreaker(YamlMapping b) {
        BreakerConfig d = BreakerConfig.DEFAULT;
        int failures = b.parsed("failures", "an integer 1-1000", text -> parseInt(text, 1, 1000))
                .orElse(d.failures());
        Duration openFor = b.parsed("openFor", Durations.POSITIVE_EXPECTED, Durations::parsePositive)
                .orElse(d.openFor());
        return new BreakerConfig(failures, openFor);
    }

    private static int parseInt(String text, int min, int max) {
        if (!text.matches("[0-9]{1,9}")) {
            throw new IllegalArgumentException("not an integer");
        }
        int value = Integer.parseInt(text);
        if (value < min || value > max) {
            throw new IllegalArgumentException("out of range");
        }
        return value;
    }
}
