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
import dev.wharf.storage.Tag;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Per-upstream choices for cached tags: forgetting gone tags, and sparing a low rate budget. */
class PullThroughTagPolicyTest {
    private static final Duration MAX_STALE = Duration.ofHours(1);
    private static final long RESERVE = 10;

    private final AtomicLong remaining = new AtomicLong(100);
    private final PullFixture forgetting =
            new PullFixture(1 << 20, MAX_STALE, upstream -> upstream.equals("fake"), RateBudget.UNLIMITED);
    private final PullFixture budgeted = new PullFixture(
            1 << 20, MAX_STALE, GoneTags.SERVE, upstream -> upstream.equals("fake") && remaining.get() <= RESERVE);

    @Test
    void withNotFoundAGoneTagIsAnswered404AndForgottenWhileItsDigestStaysCached() {
        Digest digest = forgetting.upstream.tag("1.0", "{\"v\":1}");
        forgetting.manifest("1.0");
        forgetting.upstream.fail(UpstreamException.Kind.NOT_FOUND, HEAD, MANIFEST);

        forgetting.clock.advance(DEFAULT_TTL);
        UpstreamException gone = assertThrows(UpstreamException.class, () -> forgetting.manifest("1.0"));

        assertEquals(UpstreamException.Kind.NOT_FOUND, gone.kind());
        assertEquals(
                Optional.empty(), forgetting.index.findTag("fake", forgetting.target.repository(), Tag.parse("1.0")));
        assertEquals(List.of(), forgetting.index.listTags("fake", forgetting.target.repository()));
        Manifest byDigest = forgetting.manifest(digest.toString());
        assertEquals("{\"v\":1}", text(byDigest));
        assertFalse(byDigest.stale());
        assertEquals(1, forgetting.upstream.count(MANIFEST), "the digest came from the cache");

        assertThrows(UpstreamException.class, () -> forgetting.manifest("1.0"));
        assertEquals(2, forgetting.upstream.count(MANIFEST), "a forgotten tag is asked for as an uncached one");
    }

    @Test
    void withNotFoundAnOutageStillServesTheTagStale() {
        forgetting.upstream.tag("1.0", "{\"v\":1}");
        forgetting.manifest("1.0");
        forgetting.upstream.fail(UpstreamException.Kind.UNAVAILABLE);

        forgetting.clock.advance(DEFAULT_TTL);

        assertEquals(
                Optional.of("stale: upstream fake unavailable"),
                forgetting.manifest("1.0").staleWarning());
    }

    @Test
    void aTagComingBackAfterBeingForgottenIsFetchedAgain() {
        forgetting.upstream.tag("1.0", "{\"v\":1}");
        forgetting.manifest("1.0");
        forgetting.upstream.fail(UpstreamException.Kind.NOT_FOUND, HEAD);
        forgetting.clock.advance(DEFAULT_TTL);
        assertThrows(UpstreamException.class, () -> forgetting.manifest("1.0"));

        forgetting.upstream.heal();
        Digest back = forgetting.upstream.tag("1.0", "{\"v\":2}");
        Manifest served = forgetting.manifest("1.0");

        assertEquals(back, served.digest());
        assertFalse(served.stale());
    }

    @Test
    void aLowBudgetServesAStaleTagWithoutAnyUpstreamCall() {
        Digest digest = budgeted.upstream.tag("1.0", "{\"v\":1}");
        budgeted.manifest("1.0");
        int before = budgeted.upstream.total();
        remaining.set(5);

        budgeted.clock.advance(DEFAULT_TTL);
        Manifest served = budgeted.manifest("1.0");

        assertEquals(digest, served.digest());
        assertEquals("{\"v\":1}", text(served));
        assertEquals(Optional.of("stale: upstream fake rate limit low"), served.staleWarning());
        assertEquals(before, budgeted.upstream.total(), "no call spent on the re-check");
    }

    @Test
    void aBudgetAboveTheReserveReChecksTheStaleTag() {
        budgeted.upstream.tag("1.0", "{\"v\":1}");
        budgeted.manifest("1.0");
        remaining.set(50);

        budgeted.clock.advance(DEFAULT_TTL);
        Manifest served = budgeted.manifest("1.0");

        assertFalse(served.stale());
        assertEquals(1, budgeted.upstream.count(HEAD));
    }

    @Test
    void aLowBudgetStillFetchesUncachedTags() {
        remaining.set(5);
        Digest digest = budgeted.upstream.tag("2.0", "{\"v\":2}");

        Manifest served = budgeted.manifest("2.0");

        assertEquals(digest, served.digest());
        assertFalse(served.stale());
        assertEquals(1, budgeted.upstream.count(MANIFEST));
    }

    @Test
    void aLowBudgetReChecksATagPastMaxStale() {
        budgeted.upstream.tag("1.0", "{\"v\":1}");
        budgeted.manifest("1.0");
        remaining.set(5);

        budgeted.clock.advance(MAX_STALE.plusSeconds(1));
        Manifest served = budgeted.manifest("1.0");

        assertFalse(served.stale());
        assertEquals(1, budgeted.upstream.count(HEAD));
        assertTrue(budgeted.index
                .findTag("fake", budgeted.target.repository(), Tag.parse("1.0"))
                .isPresent());
    }
}
