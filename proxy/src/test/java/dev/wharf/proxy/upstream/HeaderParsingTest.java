package dev.wharf.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HeaderParsingTest {
    static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

    @Test
    void retryAfterReadsSecondsAndDatesWithinOneHour() {
        assertEquals(Optional.of(Duration.ofSeconds(30)), RetryAfter.parse(Optional.of(" 30 "), NOW));
        assertEquals(
                Optional.of(Duration.ofSeconds(90)),
                RetryAfter.parse(Optional.of("Tue, 01 Jan 2030 00:01:30 GMT"), NOW));
        assertEquals(Optional.of(Duration.ZERO), RetryAfter.parse(Optional.of("Mon, 31 Dec 2029 23:00:00 GMT"), NOW));
        assertEquals(Optional.of(RetryAfter.MAX), RetryAfter.parse(Optional.of("86400"), NOW));
        assertEquals(Optional.of(RetryAfter.MAX), RetryAfter.parse(Optional.of("99999999999999999999"), NOW));
        assertEquals(Optional.empty(), RetryAfter.parse(Optional.of("soon"), NOW));
        assertEquals(Optional.empty(), RetryAfter.parse(Optional.of("-5"), NOW));
        assertEquals(Optional.empty(), RetryAfter.parse(Optional.empty(), NOW));
    }

    @Test
    void linkHeaderFindsTheNextRelation() {
        assertEquals(
                Optional.of("/v2/a/tags/list?n=2&last=b"),
                LinkHeader.next(List.of("</v2/a/tags/list?n=2&last=b>; rel=\"next\"")));
        assertEquals(Optional.of("/p2"), LinkHeader.next(List.of("</p0>; rel=\"prev\", </p2>; type=\"x\"; REL=next")));
        assertEquals(Optional.of("/p2"), LinkHeader.next(List.of("</p0>; rel=prev", "</p2>; rel=\"last next\"")));
        assertEquals(Optional.empty(), LinkHeader.next(List.of("</p0>; rel=\"prev\"")));
        assertEquals(Optional.empty(), LinkHeader.next(List.of()));
    }

    @Test
    void tokenLifetimeDefaultsToSixtySecondsAndRefreshesEarly() {
        TokenResponse plain = TokenResponse.parse("{\"token\":\"t\"}".getBytes(), NOW);
        assertEquals("t", plain.token());
        assertEquals(NOW.plusSeconds(60 - 6), plain.refreshAt());

        TokenResponse hub = TokenResponse.parse(
                "{\"access_token\":\"a\",\"expires_in\":300,\"issued_at\":\"2029-12-31T23:59:00.123456Z\"}".getBytes(),
                NOW);
        assertEquals("a", hub.token());
        assertEquals(Instant.parse("2029-12-31T23:59:00.123456Z").plusSeconds(270), hub.refreshAt());

        TokenResponse futureIssued = TokenResponse.parse(
                "{\"token\":\"t\",\"expires_in\":300,\"issued_at\":\"2031-01-01T00:00:00Z\"}".getBytes(), NOW);
        assertEquals(NOW.plusSeconds(270), futureIssued.refreshAt());
    }
}
