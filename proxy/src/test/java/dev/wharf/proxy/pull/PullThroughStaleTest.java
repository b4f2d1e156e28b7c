package dev.wharf.proxy.pull;

import static dev.wharf.proxy.pull.CountingUpstream.Call.HEAD;
import static dev.wharf.proxy.pull.CountingUpstream.Call.MANIFEST;
import static dev.wharf.proxy.pull.PullFixture.DEFAULT_TTL;
import static dev.wharf.proxy.pull.PullFixture.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.upstream.UpstreamException;
import dev.wharf.storage.Digest;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A cached tag whose re-check fails: served stale within maxStale and marked so, refused after. */
class PullThroughStaleTest {
    private static final Duration MAX_STALE = Duration.ofHours(1);
    private static final Duration ONE_SECOND = Duration.ofSeconds(1);

    private final PullFixture f = new PullFixture(1 << 20, MAX_STALE);
    private final CountingUpstream upstream = f.upstream;

    @ParameterizedTest
    @EnumSource(
            value = UpstreamException.Kind.class,
            names = {"UNAVAILABLE", "RATE_LIMITED", "TOO_LARGE", "PROTOCOL"})
    void anOutageServesTheLastManifestMarkedStaleUpToMaxStaleAfterTheLastConfirmation(UpstreamException.Kind kind) {
        Digest digest = upstream.tag("1.0", "{\"v\":1}");
        assertFalse(f.manifest("1.0").stale(), "a fetched manifest is not stale");
        upstream.fail(kind);

        f.clock.advance(MAX_STALE);
        Manifest served = f.manifest("1.0");

        assertEquals("{\"v\":1}", text(served));
        assertEquals(digest, served.digest());
        assertTrue(served.stale());
        assertEquals(Optional.of("stale: upstream fake unavailable"), served.staleWarning());
        assertEquals(1, upstream.count(HEAD));

        f.clock.advance(ONE_SECOND);
        UpstreamException refused = assertThrows(UpstreamException.class, () -> f.manifest("1.0"));
        assertEquals(kind, refused.kind(), "past maxStale the upstream's own failure reaches the client");
        assertEquals(2, upstream.count(HEAD), "every request past the TTL re-checks");
        assertEquals(1, upstream.count(MANIFEST));
    }

    @Test
    void maxStaleCountsFromTheLastConfirmationNotTheFirstFetch() {
        upstream.tag("1.0", "{\"v\":1}");
        f.manifest("1.0");
        f.clock.advance(Duration.ofDays(30));
        assertFalse(f.manifest("1.0").stale(), "the HEAD confirmed the same digest");
        upstream.fail(UpstreamException.Kind.UNAVAILABLE);

        f.clock.advance(MAX_STALE);
        assertTrue(f.manifest("1.0").stale());
        f.clock.advance(ONE_SECOND);
        assertThrows(UpstreamException.class, () -> f.manifest("1.0"));
    }

    @Test
    void aHealedUpstreamConfirmsTheTagAndItIsNoLongerStale() {
        upstream.tag("1.0", "{\"v\":1}");
        f.manifest("1.0");
        upstream.fail(UpstreamException.Kind.UNAVAILABLE);
        f.clock.advance(DEFAULT_TTL);
        assertTrue(f.manifest("1.0").stale());

        upstream.heal();
        Manifest served = f.manifest("1.0");

        assertFalse(served.stale());
        assertEquals(Optional.empty(), served.staleWarning());
        assertEquals(2, upstream.count(HEAD));
        assertEquals(1, upstream.count(MANIFEST));
    }

    @Test
    void aTagTheUpstreamNoLongerHasKeepsBeingServedStaleEvenPastMaxStale() {
        Digest digest = upstream.tag("1.0", "{\"v\":1}");
        f.manifest("1.0");
        upstream.fail(UpstreamException.Kind.NOT_FOUND, HEAD);

        f.clock.advance(DEFAULT_TTL);
        Manifest served = f.manifest("1.0");
        f.clock.advance(MAX_STALE.multipliedBy(100));
        Manifest later = f.manifest("1.0");

        assertEquals(digest, served.digest());
        assertEquals(Optional.of("stale: upstream fake no longer has this tag"), served.staleWarning());
        assertEquals(digest, later.digest());
        assertTrue(later.stale());
        assertEquals(2, upstream.count(HEAD));
    }

    /** Registries may rate-limit the GET after answering the HEAD with a new digest: the old manifest, marked. */
    @Test
    void aChangedTagWhoseGetIsRateLimitedServesTheOldManifestMarkedStale() {
        Digest old = upstream.tag("1.0", "{\"v\":1}");
        f.manifest("1.0");
        upstream.tag("1.0", "{\"v\":2}");
        upstream.fail(UpstreamException.Kind.RATE_LIMITED, MANIFEST);

        f.clock.advance(DEFAULT_TTL);
        Manifest served = f.manifest("1.0");

        assertEquals(old, served.digest());
        assertTrue(served.stale());
        f.clock.advance(MAX_STALE);
        assertThrows(UpstreamException.class, () -> f.manifest("1.0"));
    }

    @ParameterizedTest
    @EnumSource(
            value = UpstreamException.Kind.class,
            names = {"UNAUTHORIZED", "DENIED", "CREDENTIALS"})
    void anUpstreamThatRefusesAccessIsBelievedAndNothingStaleIsServed(UpstreamException.Kind kind) {
        upstream.tag("1.0", "{\"v\":1}");
        f.manifest("1.0");
        upstream.fail(kind);

        f.clock.advance(DEFAULT_TTL);
        UpstreamException e = assertThrows(UpstreamException.class, () -> f.manifest("1.0"));

        assertEquals(kind, e.kind());
    }

    @Test
    void aZeroMaxStaleNeverServesStaleOnAnOutage() {
        PullFixture strict = new PullFixture(1 << 20, Duration.ZERO);
        strict.upstream.tag("1.0", "{\"v\":1}");
        strict.manifest("1.0");
        strict.upstream.fail(UpstreamException.Kind.UNAVAILABLE);

        strict.clock.advance(DEFAULT_TTL);

        assertThrows(UpstreamException.class, () -> strict.manifest("1.0"));
    }
}
