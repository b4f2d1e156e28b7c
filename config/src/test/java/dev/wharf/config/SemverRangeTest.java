package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SemverRangeTest {
    private static final List<String> VERSIONS = List.of(
            "0.0.3", "0.0.4", "0.2.3", "0.3.0", "1.0.0", "1.2.0", "1.2.3", "1.2.9", "1.3.0", "1.27.0", "1.27.4",
            "1.28.0", "2.0.0", "2.3.4", "2.3.5", "2.4.0", "7.0.0", "7.9.0", "7.9.1", "8.0.0");

    static Stream<Arguments> ranges() {
        return Stream.of(
                Arguments.of("7", "7.0.0 7.9.0 7.9.1"),
                Arguments.of("v7.9", "7.9.0 7.9.1"),
                Arguments.of("7.9.0", "7.9.0"),
                Arguments.of("=v7.9.1", "7.9.1"),
                Arguments.of("1.2.x", "1.2.0 1.2.3 1.2.9"),
                Arguments.of("1.X", "1.0.0 1.2.0 1.2.3 1.2.9 1.3.0 1.27.0 1.27.4 1.28.0"),
                Arguments.of("1.*.*", "1.0.0 1.2.0 1.2.3 1.2.9 1.3.0 1.27.0 1.27.4 1.28.0"),
                Arguments.of("~1.27", "1.27.0 1.27.4"),
                Arguments.of("~1.2.3", "1.2.3 1.2.9"),
                Arguments.of("~7", "7.0.0 7.9.0 7.9.1"),
                Arguments.of("^1.2.3", "1.2.3 1.2.9 1.3.0 1.27.0 1.27.4 1.28.0"),
                Arguments.of("^0.2.3", "0.2.3"),
                Arguments.of("^0.0.3", "0.0.3"),
                Arguments.of("^0", "0.0.3 0.0.4 0.2.3 0.3.0"),
                Arguments.of(">=1.2 <2", "1.2.0 1.2.3 1.2.9 1.3.0 1.27.0 1.27.4 1.28.0"),
                Arguments.of(">=1.2, <1.3", "1.2.0 1.2.3 1.2.9"),
                Arguments.of(">1.2", "1.3.0 1.27.0 1.27.4 1.28.0 2.0.0 2.3.4 2.3.5 2.4.0 7.0.0 7.9.0 7.9.1 8.0.0"),
                Arguments.of(">7.9.0", "7.9.1 8.0.0"),
                Arguments.of("<=0.2", "0.0.3 0.0.4 0.2.3"),
                Arguments.of("<0.2.3", "0.0.3 0.0.4"),
                Arguments.of("1.2.3 - 2.3.4", "1.2.3 1.2.9 1.3.0 1.27.0 1.27.4 1.28.0 2.0.0 2.3.4"),
                Arguments.of("1.2 - 2.3", "1.2.0 1.2.3 1.2.9 1.3.0 1.27.0 1.27.4 1.28.0 2.0.0 2.3.4 2.3.5"),
                Arguments.of("~1.27 || >=7.9.1", "1.27.0 1.27.4 7.9.1 8.0.0"),
                Arguments.of("*", String.join(" ", VERSIONS)));
    }

    @ParameterizedTest
    @MethodSource("ranges")
    void rangeHoldsExactlyTheseVersions(String range, String expected) {
        SemverRange parsed = SemverRange.parse(range);
        List<String> held = VERSIONS.stream()
                .filter(v -> parsed.contains(Version.find(v).orElseThrow()))
                .toList();
        assertEquals(List.of(expected.split(" ")), held, range);
    }

    @Test
    void preReleaseIsJudgedByItsReleaseVersion() {
        SemverRange line = SemverRange.parse("v2.13.x");
        assertTrue(line.contains(Version.find("v2.13.0-rc1").orElseThrow()));
        assertEquals(
                false,
                SemverRange.parse("<2").contains(Version.find("2.0.0-rc1").orElseThrow()));
    }

    @Test
    void versionsOrderBySemverPrecedence() {
        List<String> ordered = List.of(
                "1.0.0-alpha",
                "1.0.0-alpha.1",
                "1.0.0-alpha.beta",
                "1.0.0-beta",
                "1.0.0-beta.2",
                "1.0.0-beta.11",
                "1.0.0-rc.1",
                "1.0.0",
                "1.0.1",
                "1.10.0",
                "10.0.0");
        List<String> shuffled = new java.util.ArrayList<>(ordered);
        java.util.Collections.reverse(shuffled);
        List<String> sorted = shuffled.stream()
                .map(v -> Version.find(v).orElseThrow())
                .sorted()
                .map(Version::toString)
                .toList();
        assertEquals(ordered, sorted);
        assertEquals(Version.of(7, 0, 0), Version.find("v7").orElseThrow());
        assertEquals(Version.of(7, 9, 0), Version.find("7.9").orElseThrow());
    }

    @ParameterizedTest
    @ValueSource(strings = {"latest", "1.2.3.4", "01.2", "v", "2024-01-15x_", "1.2.3-", ""})
    void isNotAVersion(String text) {
        assertTrue(Version.find(text).isEmpty(), text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"one", ">=", "1.2.3 -", "~>1.2", "1 ||", "1.2.3.4", ">=1.2 <2 ||"})
    void rejectsWhatIsNotARange(String text) {
        assertThrows(IllegalArgumentException.class, () -> SemverRange.parse(text));
    }
}
