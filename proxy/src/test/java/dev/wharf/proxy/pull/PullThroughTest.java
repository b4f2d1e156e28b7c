package dev.wharf.proxy.pull;

import static dev.wharf.proxy.pull.CountingUpstream.Call.HEAD;
import static dev.wharf.proxy.pull.CountingUpstream.Call.MANIFEST;
import static dev.wharf.proxy.pull.CountingUpstream.MANIFEST_TYPE;
import static dev.wharf.proxy.pull.PullFixture.DEFAULT_TTL;
import static dev.wharf.proxy.pull.PullFixture.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.upstream.ManifestResponse;
import dev.wharf.proxy.upstream.UpstreamException;
import dev.wharf.storage.Digest;
import dev.wharf.storage.StorageException;
import dev.wharf.storage.Tag;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class PullThroughTest {
    private static final Duration ONE_SECOND = Duration.ofSeconds(1);

    private final PullFixture f = new PullFixture();
    private final CountingUpstream upstream = f.upstream;

    /** hotBytes 0: the manifest comes back from the blob store, not from memory. */
    @ParameterizedTest
    @ValueSource(longs = {0, 1 << 20})
    void aCachedDigestIsServedWithoutAskingTheUpstreamEvenMuchLater(long hotBytes) {
        PullFixture f = new PullFixture(hotBytes);
        Digest digest = f.upstream.tag("1.0", "{\"v\":1}");
        assertEquals("{\"v\":1}", text(f.manifest(digest.toString())));
        assertEquals(1, f.upstream.total());

        f.clock.advance(Duration.ofDays(3650));
        f.upstream.fail(UpstreamException.Kind.UNAVAILABLE);
        Manifest again = f.manifest(digest.toString());

        assertEquals("{\"v\":1}", text(again));
        assertEquals(digest, again.digest());
        assertEquals(MANIFEST_TYPE, again.mediaType());
        assertEquals(1, f.upstream.total(), "a digest is immutable: no upstream call once cached");
    }

    @Test
    void aDigestFirstLearnedThroughItsTagIsServedWithoutAnUpstreamCall() {
        Digest digest = upstream.tag("1.0", "{\"v\":1}");
        f.manifest("1.0");
        f.clock.advance(Duration.ofDays(365));

        assertEquals("{\"v\":1}", text(f.manifest(digest.toString())));
        assertEquals(1, upstream.total());
    }

    @Test
    void aTagMissIsOneGetAndTheTagIsThenServedWithoutUpstreamCallsWhileFresh() {
        Digest digest = upstream.tag("1.0", "{\"v\":1}");

        Manifest first = f.manifest("1.0");
        f.clock.advance(DEFAULT_TTL.minus(ONE_SECOND));
        Manifest second = f.manifest("1.0");

        assertEquals(digest, first.digest());
        assertArrayEquals(first.bytes(), second.bytes());
        assertEquals("{\"v\":1}", text(second));
        assertEquals(1, upstream.count(MANIFEST));
        assertEquals(0, upstream.count(HEAD));
        assertEquals(
                digest,
                f.index
                        .findTag(f.target.upstream(), f.target.repository(), Tag.parse("1.0"))
                        .orElseThrow()
                        .digest());
    }

    @Test
    void aStaleTagIsRecheckedByHeadAndAnUnchangedDigestRestartsItsTtl() {
        upstream.tag("1.0", "{\"v\":1}");
        f.manifest("1.0");

        f.clock.advance(DEFAULT_TTL);
        assertEquals("{\"v\":1}", text(f.manifest("1.0")));
        assertEquals(1, upstream.count(HEAD));
        assertEquals(1, upstream.count(MANIFEST), "same digest: no GET");

        f.clock.advance(DEFAULT_TTL.minus(ONE_SECOND));
        f.manifest("1.0");
        assertEquals(1, upstream.count(HEAD), "the TTL restarted at the re-check");

        f.clock.advance(ONE_SECOND);
        f.manifest("1.0");
        assertEquals(2, upstream.count(HEAD));
        assertEquals(1, upstream.count(MANIFEST));
    }

    @Test
    void aStaleTagWhoseDigestChangedIsFetchedOnceAndTheNewBytesAreServed() {
        Digest old = upstream.tag("1.0", "{\"v\":1}");
        f.manifest("1.0");
        Digest changed = upstream.tag("1.0", "{\"v\":2}");

        f.clock.advance(DEFAULT_TTL);
        Manifest served = f.manifest("1.0");
        Manifest again = f.manifest("1.0");

        assertEquals("{\"v\":2}", text(served));
        assertEquals(changed, served.digest());
        assertEquals("{\"v\":2}", text(again));
        assertEquals(1, upstream.count(HEAD));
        assertEquals(2, upstream.count(MANIFEST));
        assertEquals("{\"v\":1}", text(f.manifest(old.toString())), "the old digest stays cached");
        assertEquals(2, upstream.count(MANIFEST));
    }

    @Test
    void aZeroTtlRechecksEveryRequestWhileOtherTagsKeepTheirOwnTtl() {
        f.ttl("latest", Duration.ZERO);
        f.ttl("stable", Duration.ofHours(1));
        upstream.tag("latest", "{\"v\":\"latest\"}");
        upstream.tag("stable", "{\"v\":\"stable\"}");
        f.manifest("latest");
        f.manifest("stable");

        f.manifest("latest");
        f.manifest("latest");
        assertEquals(2, upstream.count(HEAD), "ttl 0: every request is re-checked");

        f.clock.advance(Duration.ofMinutes(59));
        f.manifest("stable");
        assertEquals(2, upstream.count(HEAD), "stable is fresh for an hour, past the default minute");

        f.clock.advance(Duration.ofMinutes(1));
        f.manifest("stable");
        assertEquals(3, upstream.count(HEAD));
        assertEquals(2, upstream.count(MANIFEST));
    }

    @Test
    void whenTheRecheckFailsTheCachedManifestIsServed() {
        upstream.tag("1.0", "{\"v\":1}");
        f.manifest("1.0");
        upstream.fail(UpstreamException.Kind.UNAVAILABLE);

        f.clock.advance(DEFAULT_TTL);
        Manifest served = f.manifest("1.0");

        assertEquals("{\"v\":1}", text(served));
        assertEquals(MANIFEST_TYPE, served.mediaType());
        assertEquals(1, upstream.count(HEAD));
        assertEquals(1, upstream.count(MANIFEST));
    }

    /** Registries such as Docker Hub rate-limit manifest GETs but not HEADs: the re-check succeeds, the GET fails. */
    @ParameterizedTest
    @EnumSource(
            value = UpstreamException.Kind.class,
            names = {"RATE_LIMITED", "UNAVAILABLE"})
    void whenATagChangedButItsGetFailsTheCachedManifestIsServed(UpstreamException.Kind kind) {
        Digest old = upstream.tag("1.0", "{\"v\":1}");
        f.manifest("1.0");
        upstream.tag("1.0", "{\"v\":2}");
        upstream.fail(kind, MANIFEST);

        f.clock.advance(DEFAULT_TTL);
        Manifest served = f.manifest("1.0");

        assertEquals("{\"v\":1}", text(served));
        assertEquals(old, served.digest());
        assertEquals(1, upstream.count(HEAD));
        assertEquals(2, upstream.count(MANIFEST));

        upstream.heal();
        assertEquals("{\"v\":2}", text(f.manifest("1.0")), "the tag is still stale, so the next request retries");
        assertEquals(3, upstream.count(MANIFEST));
    }

    @Test
    void aColdTagFailurePropagatesAndStoresNothing() {
        Digest digest = upstream.tag("1.0", "{\"v\":1}");
        upstream.fail(UpstreamException.Kind.UNAVAILABLE);

        UpstreamException e = assertThrows(UpstreamException.class, () -> f.manifest("1.0"));

        assertEquals(UpstreamException.Kind.UNAVAILABLE, e.kind());
        assertEquals(List.of(), f.index.listTags(f.target.upstream(), f.target.repository()));
        assertEquals(0, f.indexedDigests());
        assertEquals(Optional.empty(), f.store.findSize(digest));
        assertEquals(0, f.store.pendingWrites());

        upstream.heal();
        assertEquals("{\"v\":1}", text(f.manifest("1.0")));
        assertEquals(2, upstream.count(MANIFEST));
    }

    @Test
    void manifestBytesThatDoNotMatchTheRequestedDigestAreRefusedAndNotKept() {
        byte[] good = "{\"v\":1}".getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256(good);
        upstream.manifest(
                digest.toString(),
                new ManifestResponse(
                        "{\"v\":666}".getBytes(StandardCharsets.UTF_8), MANIFEST_TYPE, Optional.of(digest)));

        StorageException e = assertThrows(StorageException.class, () -> f.manifest(digest.toString()));

        assertEquals(StorageException.Kind.CORRUPT, e.kind());
        assertEquals(Optional.empty(), f.store.findSize(digest));
        assertEquals(Optional.empty(), f.index.findDigest(digest));
        assertEquals(0, f.indexedDigests());
        assertEquals(0, f.store.pendingWrites());

        upstream.manifest(digest.toString(), new ManifestResponse(good, MANIFEST_TYPE, Optional.of(digest)));
        assertArrayEquals(good, f.manifest(digest.toString()).bytes());
        assertEquals(2, upstream.count(MANIFEST), "the failed fill was not remembered");
    }

    @Test
    void aTagWhoseDigestHeaderDisagreesWithItsBodyIsRefusedAndNotIndexed() {
        byte[] body = "{\"v\":1}".getBytes(StandardCharsets.UTF_8);
        Digest claimed = Digest.sha256("{\"v\":2}".getBytes(StandardCharsets.UTF_8));
        upstream.manifest("1.0", new ManifestResponse(body, MANIFEST_TYPE, Optional.of(claimed)));

        UpstreamException e = assertThrows(UpstreamException.class, () -> f.manifest("1.0"));

        assertTrue(e.isDigestMismatch(), "an upstream fault, not a storage corruption: " + e.getMessage());
        assertEquals(Optional.empty(), f.index.findTag(f.target.upstream(), f.target.repository(), Tag.parse("1.0")));
        assertEquals(0, f.indexedDigests());
        assertEquals(Optional.empty(), f.store.findSize(Digest.sha256(body)));
        assertEquals(Optional.empty(), f.store.findSize(claimed));
        assertEquals(0, f.store.pendingWrites());
    }

    @Test
    void aTagWithoutDigestHeaderIsKeptUnderTheSha256OfItsBytes() {
        byte[] body = "{\"v\":1}".getBytes(StandardCharsets.UTF_8);
        upstream.manifest("1.0", new ManifestResponse(body, MANIFEST_TYPE, Optional.empty()));

        Manifest served = f.manifest("1.0");

        assertEquals(Digest.sha256(body), served.digest());
        assertArrayEquals(body, served.bytes());
        assertTrue(f.store.findSize(Digest.sha256(body)).isPresent());
    }
}
