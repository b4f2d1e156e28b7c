package dev.wharf.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What every {@link BlobStatter} of a store must do; each store's role test runs it. */
public abstract class BlobStatterContract extends BlobStoreFixture {
    @Test
    void statGivesDigestAndSizeOfStoredBytes() {
        byte[] bytes = utf8("stat me");

        Digest digest = ingest(bytes);

        assertEquals(Optional.of(new BlobInfo(digest, bytes.length)), store.stat(digest));
        assertEquals(Optional.of((long) bytes.length), store.findSize(digest));
    }

    @Test
    void statOfAnEmptyBlobIsZero() {
        Digest digest = ingest(new byte[0]);

        assertEquals(Optional.of(new BlobInfo(digest, 0)), store.stat(digest));
    }

    @Test
    void statOfAnAbsentDigestIsEmpty() {
        assertTrue(store.stat(Digest.sha256(utf8("never stored"))).isEmpty());
    }

    @Test
    void bytesStillSpoolingAreNotStored() {
        byte[] bytes = utf8("verified, not published");
        Digest digest = Digest.sha256(bytes);
        try (Spool spool = spool(digest, bytes.length)) {
            spool.write(ByteBuffer.wrap(bytes));
            spool.verify();

            assertTrue(store.stat(digest).isEmpty());
        }
    }

    @Test
    void closedStoreRefusesStat() {
        store.close();

        StorageException e = assertThrows(StorageException.class, () -> store.stat(Digest.sha256(utf8("x"))));
        assertEquals(StorageException.Kind.IO, e.kind());
    }
}
