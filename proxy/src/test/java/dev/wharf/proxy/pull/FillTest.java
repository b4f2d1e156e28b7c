package dev.wharf.proxy.pull;

import static dev.wharf.proxy.pull.CountingUpstream.Call.BLOB;
import static dev.wharf.proxy.pull.PullFixture.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.storage.BlobReader;
import dev.wharf.storage.Digest;
import dev.wharf.storage.RepositoryName;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A miss is one fill that callers read while it grows, whoever asked first. */
@Timeout(30)
class FillTest {
    private static final byte[] LAYER = bytes(1_000_000, 5);
    private static final int STALL = 400_000;

    private final PullFixture f = new PullFixture();
    private final CountingUpstream upstream = f.upstream;

    @AfterEach
    void release() {
        upstream.releaseBodies();
    }

    @Test
    void callersFromTwoRepositoriesShareOneFillOnceTheUpstreamConfirmsTheSecondAndBothAreRecorded() throws Exception {
        Digest digest = upstream.blob(LAYER);
        upstream.stallBodiesAt(STALL);
        Target other = new Target("fake", RepositoryName.parse("other/app"));

        try (BlobSource first = Futures.join(f.pull.openBlob(f.target, digest));
                BlobSource second = Futures.join(f.pull.openBlob(other, digest))) {
            BlobSource.Filling a = assertInstanceOf(BlobSource.Filling.class, first);
            BlobSource.Filling b = assertInstanceOf(BlobSource.Filling.class, second);
            assertEquals(a.fill(), b.fill());
            assertEquals(LAYER.length, a.fill().size());

            ByteBuffer landed = ByteBuffer.allocate(STALL);
            while (landed.hasRemaining()) {
                if (b.partial().read(landed, landed.position()) < 0) {
                    Thread.onSpinWait();
                }
            }
            assertArrayEquals(Arrays.copyOf(LAYER, STALL), landed.array(), "bytes readable before the fill ends");
            assertEquals(Fill.State.RUNNING, a.fill().state());

            upstream.releaseBodies();
            try (BlobReader stored = a.fill().awaitStored()) {
                assertArrayEquals(LAYER, PullFixture.readAll(stored));
            }
            assertEquals(Fill.State.DONE, b.fill().state());
        }
        // One fill, and one request (closed after its headers) by which the upstream confirmed other/app has the blob:
        // no repository is served bytes fetched through another without that.
        assertEquals(2, upstream.count(BLOB));
        assertTrue(f.index.isSeen("fake", f.target.repository(), digest));
        assertTrue(f.index.isSeen("fake", other.repository(), digest));
    }
}
