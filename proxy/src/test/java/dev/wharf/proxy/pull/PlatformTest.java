package dev.wharf.proxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PlatformTest {
    @Test
    void parsesOsArchitectureAndVariant() {
        assertEquals(new Platform("linux", "arm64", Optional.of("v8")), Platform.parse("linux/arm64/v8"));
        assertEquals("linux/amd64", Platform.parse("linux/amd64").toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"linux", "linux/", "/amd64", "linux/amd64/v8/x", "Linux/amd64", "linux/../x", "linux/a b"})
    void refusesAnythingElse(String text) {
        assertThrows(IllegalArgumentException.class, () -> Platform.parse(text));
    }

    @Test
    void aPlatformWithoutVariantAdmitsEveryVariantOfItsArchitecture() {
        Platform arm64 = Platform.parse("linux/arm64");
        assertTrue(arm64.admits(Platform.parse("linux/arm64/v8")));
        assertTrue(arm64.admits(Platform.parse("linux/arm64")));
        assertFalse(arm64.admits(Platform.parse("linux/amd64")));
        assertFalse(arm64.admits(Platform.parse("windows/arm64")));
        assertFalse(Platform.parse("linux/arm/v7").admits(Platform.parse("linux/arm/v6")));
    }
}
