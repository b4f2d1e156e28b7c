package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HostPortTest {
    @ParameterizedTest
    @CsvSource({
        "0.0.0.0:5000, 0.0.0.0, 5000, 0.0.0.0:5000",
        ":5000, 0.0.0.0, 5000, 0.0.0.0:5000",
        "[::1]:5000, ::1, 5000, [::1]:5000",
        "[::]:1, ::, 1, [::]:1",
        "localhost:65535, localhost, 65535, localhost:65535",
    })
    void parsesListenAddresses(String text, String host, int port, String shown) {
        HostPort parsed = HostPort.parse(text);

        assertEquals(new HostPort(host, port), parsed);
        assertEquals(shown, parsed.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "5000", ":0", ":65536", "host:", "host:5x", "::1:5000", "[::1]5000", "a b:1", ""})
    void refusesAnythingElse(String text) {
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse(text));
    }
}
