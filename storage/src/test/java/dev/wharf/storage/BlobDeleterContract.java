package dev.wharf.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** What every {@link BlobDeleter} of a store must do; each store's role test runs it. */
public abstract class BlobDeleterContract extends BlobStoreFixture {
    @Test
    void deleteRemovesTheBytesAndToleratesAbsence() {
        Digest digest = ingest(utf8("to be deleted"));

        store.delete(digest);
        store.delete(digest);

        assertTrue(store.stat(digest).isEmpty());
        assertTrue(store.openContent(digest).isEmpty());
    }

    @Test
    void deleteLeavesOtherDigests() throws Exception {
        byte[] kept = utf8("kept");
        Digest keptDigest = ingest(kept);
        Digest gone = ingest(utf8("gone"));

        store.delete(gone);

        try (BlobContent content = store.openContent(keptDigest).orElseThrow()) {
            assertArrayEquals(kept, readAll(content));
        }
    }

    @Test
    void aDeletedDigestCanBeIngestedAgain() throws Exception {
        byte[] bytes = utf8("back again");
        Digest digest = ingest(bytes);
        store.delete(digest);

        ingest(bytes);

        try (BlobContent content = store.openContent(digest).orElseThrow()) {
            assertArrayEquals(bytes, readAll(content));
        }
    }

    @Test
    void closedStoreRefusesToDelete() {
        store.close();

        StorageException e = assertThrows(StorageException.class, () -> store.delete(Digest.sha256(utf8("x"))));
        assertEquals(StorageException.Kind.IO, e.kind());
    }
}
