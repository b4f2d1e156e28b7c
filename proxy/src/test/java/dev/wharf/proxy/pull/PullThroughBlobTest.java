package dev.wharf.proxy.pull;

import static dev.wharf.proxy.pull.CountingUpstream.Call.BLOB;
import static dev.wharf.proxy.pull.PullFixture.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.upstream.UpstreamException;
import dev.wharf.storage.Digest;
import dev.wharf.storage.StorageException;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PullThroughBlobTest {
    /** Larger than one copy buffer, so the fill takes several writes. */
    private static final byte[] LAYER = bytes(200_000, 7);

    private final PullFixture f = new PullFixture();
    private final CountingUpstream upstream = f.upstream;

    @Test
    void aMissFillsOnceAndTheNextOpenIsServedFromTheStore() {
        Digest digest = upstream.blob(LAYER);

        assertArrayEquals(LAYER, f.blob(digest));
        assertArrayEquals(LAYER, f.blob(digest));

        assertEquals(1, upstream.count(BLOB));
        assertEquals(1, upstream.total());
        assertEquals(0, upstream.openBlobResponses(), "the upstream response is closed");
        assertEquals(Optional.of((long) LAYER.length), f.store.findSize(digest));
        assertEquals(LAYER.length, f.index.findDigest(digest).orElseThrow().size());
        assertTrue(f.index.isSeen(f.target.upstream(), f.target.repository(), digest));
    }

    @Test
    void aStoredBlobIsServedWhileTheUpstreamIsDownMuchLater() {
        Digest digest = upstream.blob(LAYER);
        f.blob(digest);
        upstream.fail(UpstreamException.Kind.UNAVAILABLE);
        f.clock.advance(Duration.ofDays(3650));

        assertArrayEquals(LAYER, f.blob(digest));
        assertEquals(1, upstream.total());
    }

    @Test
    void wrongBytesAreRefusedNothingIsPublishedAndTheNextOpenFetchesAgain() {
        Digest digest = upstream.blob(LAYER);
        upstream.corruptBlobs(true);

        StorageException e = assertThrows(StorageException.class, () -> f.blob(digest));

        assertEquals(StorageException.Kind.CORRUPT, e.kind());
        assertEquals(Optional.empty(), f.store.findSize(digest));
        assertEquals(Optional.empty(), f.index.findDigest(digest));
        assertEquals(0, f.store.pendingWrites(), "the rejected write was aborted");
        assertEquals(0, upstream.openBlobResponses());

        upstream.corruptBlobs(false);
        assertArrayEquals(LAYER, f.blob(digest));
        assertEquals(2, upstream.count(BLOB));
    }

    @Test
    void anUpstreamFailureOnAMissPropagatesAndStoresNothing() {
        Digest digest = upstream.blob(LAYER);
        upstream.fail(UpstreamException.Kind.UNAVAILABLE);

        UpstreamException e = assertThrows(UpstreamException.class, () -> f.blob(digest));

        assertEquals(UpstreamException.Kind.UNAVAILABLE, e.kind());
        assertEquals(Optional.empty(), f.store.findSize(digest));
        assertEquals(0, f.indexedDigests());
        assertEquals(0, f.store.pendingWrites());
    }

    @Test
    void aBodyThatStallsMidwayFailsAsTimedOutAbortsTheWriteAndTheNextOpenFetchesAgain() {
        Digest digest = upstream.blob(LAYER);
        upstream.stallBlobs(true);

        UpstreamException e = assertThrows(UpstreamException.class, () -> f.blob(digest));

        assertEquals(UpstreamException.Kind.UNAVAILABLE, e.kind());
        assertTrue(e.timedOut());
        assertEquals(Optional.empty(), f.store.findSize(digest));
        assertEquals(0, f.indexedDigests());
        assertEquals(0, f.store.pendingWrites(), "the partial write was aborted");
        assertEquals(0, upstream.openBlobResponses(), "the upstream response is closed");

        upstream.stallBlobs(false);
        assertArrayEquals(LAYER, f.blob(digest));
        assertEquals(2, upstream.count(BLOB));
    }

    @Test
    void aBlobTheUpstreamDoesNotHaveIsNotFound() {
        Digest absent = Digest.sha256(bytes(10, 1));

        UpstreamException e = assertThrows(UpstreamException.class, () -> f.blob(absent));

        assertEquals(UpstreamException.Kind.NOT_FOUND, e.kind());
        assertEquals(0, f.indexedDigests());
    }
}
