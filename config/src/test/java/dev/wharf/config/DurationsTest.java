package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
    @ParameterizedTest
    @CsvSource({
        "500ms, PT0.5S",
        "0s, PT0S",
        "30s, PT30S",
        "5m, PT5M",
        "6h, PT6H",
        "7d, PT168H",
        "1h30m, PT1H30M",
        "1d12h, PT36H"
    })
    void parsesUnits(String text, Duration expected) {
        assertEquals(expected, Durations.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "7", "-5m", "7 days", "5M", "1.5h", "h", "99999999999999999d"})
    void refusesGarbage(String text) {
        assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
    }

    @Test
    void positiveRefusesZero() {
        assertThrows(IllegalArgumentException.class, () -> Durations.parsePositive("0s"));
        assertEquals(Duration.ofMillis(1), Durations.parsePositive("1ms"));
    }
}
