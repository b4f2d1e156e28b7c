package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LogFormatTest {
    @Test
    void logFormatChoosesAndWithoutItATerminalDoes() {
        assertEquals(LogFormat.JSON, LogFormat.resolve(Map.of("LOG_FORMAT", "json"), true));
        assertEquals(LogFormat.TEXT, LogFormat.resolve(Map.of("LOG_FORMAT", "TEXT"), false));
        assertEquals(LogFormat.JSON, LogFormat.resolve(Map.of(), false));
        assertEquals(LogFormat.TEXT, LogFormat.resolve(Map.of(), true));
        assertEquals(LogFormat.JSON, LogFormat.resolve(Map.of("LOG_FORMAT", "yaml"), false));
    }
}
