package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FreshnessRuleTest {
    private static final Duration FALLBACK = Duration.ofSeconds(99);
    private static final List<FreshnessRule> RULES = List.of(
            new FreshnessRule("*:latest", Duration.ZERO),
            new FreshnessRule("library/*:1.2?", Duration.ofMinutes(5)),
            new FreshnessRule("team/app:v*-rc", Duration.ofSeconds(1)),
            new FreshnessRule("*", Duration.ofSeconds(60)));

    @ParameterizedTest
    @CsvSource({
        "library/nginx, latest, PT0S",
        "org/deep/app, latest, PT0S",
        "library/nginx, 1.27, PT5M",
        "library/nginx, 1.2, PT1M",
        "library/nginx, 1.271, PT1M",
        "team/app, v2.0-rc, PT1S",
        "team/app, v2.0-rc1, PT1M",
        "other/app, latest-dev, PT1M",
    })
    void firstMatchingRuleWins(String repository, String tag, Duration expected) {
        assertEquals(expected, FreshnessRule.ttlFor(RULES, repository, tag, FALLBACK));
    }

    @Test
    void fallbackWhenNoRuleMatches() {
        List<FreshnessRule> rules = List.of(new FreshnessRule("*:latest", Duration.ZERO));

        assertEquals(FALLBACK, FreshnessRule.ttlFor(rules, "library/nginx", "1.27", FALLBACK));
        assertEquals(FALLBACK, FreshnessRule.ttlFor(List.of(), "library/nginx", "latest", FALLBACK));
    }

    @Test
    void starAloneMatchesEverything() {
        FreshnessRule all = new FreshnessRule("*", Duration.ofSeconds(1));

        assertEquals(true, all.matches("a/b/c", "x.y-z_1"));
    }

    @Test
    void refusesMalformedMatchesAndNegativeTtl() {
        assertThrows(IllegalArgumentException.class, () -> new FreshnessRule("nginx", Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new FreshnessRule(":latest", Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new FreshnessRule("a:b:c", Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new FreshnessRule("*", Duration.ofSeconds(-1)));
    }
}
