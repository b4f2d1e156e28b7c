package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.ZonedDateTime;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CronScheduleTest {
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "0 3 * * *         | 2026-11-26T09:52:00Z | 2026-11-27T03:00Z",
                "0 3 * * *         | 2026-11-26T02:59:59Z | 2026-11-26T03:00Z",
                "*/15 * * * *      | 2026-11-26T09:52:00Z | 2026-11-26T10:00Z",
                "5,35 9-10 * * *   | 2026-11-26T09:35:00Z | 2026-11-26T10:05Z",
                "0 0 * * mon       | 2026-11-26T09:52:00Z | 2026-11-30T00:00Z",
                "0 0 * * 7         | 2026-11-26T09:52:00Z | 2026-11-29T00:00Z",
                "0 0 1 jan *       | 2026-11-26T09:52:00Z | 2027-01-01T00:00Z",
                "0 0 13 * fri      | 2026-11-26T09:52:00Z | 2026-11-27T00:00Z",
                "0 12 29 feb *     | 2026-11-26T09:52:00Z | 2028-02-29T12:00Z",
                "30 2 * * 1-5/2    | 2026-11-28T00:00:00Z | 2026-11-30T02:30Z",
            })
    void nextTime(String expression, String after, String expected) {
        assertEquals(
                ZonedDateTime.parse(expected), CronSchedule.parse(expression).next(ZonedDateTime.parse(after)));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "0 3 * *",
                "60 * * * *",
                "0 24 * * *",
                "0 0 0 * *",
                "0 0 * 13 *",
                "0 0 31 feb *",
                "5-1 * * * *",
                "*/0 * * * *",
                "a * * * *",
                "0 0 * * 8"
            })
    void rejects(String expression) {
        assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse(expression));
    }
}
