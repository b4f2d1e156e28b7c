package dev.wharf.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ByteRangeTest {
    @ParameterizedTest(name = "{0} of 1000 -> {1}-{2}")
    @CsvSource({
        "bytes=0-99, 0, 99",
        "bytes=100-, 100, 999",
        "bytes=-100, 900, 999",
        "bytes=-5000, 0, 999",
        "bytes=990-5000, 990, 999",
        "bytes=999-999, 999, 999",
        "bytes=0-9999999999999999999, 0, 999",
    })
    void satisfiable(String header, long first, long last) {
        assertEquals(Optional.of(new ByteRange(first, last)), ByteRange.parse(header, 1000));
    }

    @ParameterizedTest(name = "{0} -> 416")
    @ValueSource(strings = {"bytes=1000-", "bytes=500-0", "bytes=-0", "bytes=9999999999999999999-"})
    void unsatisfiable(String header) {
        ByteRange.Unsatisfiable e = assertThrows(ByteRange.Unsatisfiable.class, () -> ByteRange.parse(header, 1000));
        assertEquals(1000, e.length());
    }

    @ParameterizedTest(name = "{0} -> whole body")
    @ValueSource(strings = {"bytes=0-1,5-9", "items=0-1", "bytes=", "bytes=-", "bytes=a-b", "bytes=--1"})
    void ignoredMeansWholeBody(String header) {
        assertEquals(Optional.empty(), ByteRange.parse(header, 1000));
    }
}
