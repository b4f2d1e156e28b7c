package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ByteSizesTest {
    @Test
    void binaryAndDecimalUnits() {
        assertEquals(512, ByteSizes.parse("512"));
        assertEquals(512, ByteSizes.parse("512B"));
        assertEquals(3 * 1024, ByteSizes.parse("3KiB"));
        assertEquals(512L << 20, ByteSizes.parse("512MiB"));
        assertEquals(20L << 30, ByteSizes.parse("20GiB"));
        assertEquals(2L << 40, ByteSizes.parse("2TiB"));
        assertEquals(1_000_000_000_000L, ByteSizes.parse("1TB"));
        assertEquals(5_000_000, ByteSizes.parse("5 mb"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "lots", "-1GiB", "1.5GiB", "1PiB", "10XB", "999999999999999TiB"})
    void rejectsWhatIsNotASize(String text) {
        assertThrows(IllegalArgumentException.class, () -> ByteSizes.parse(text));
    }
}
