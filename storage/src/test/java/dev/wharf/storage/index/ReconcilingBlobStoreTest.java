package dev.wharf.storage.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.storage.BlobContent;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.BlobStoreContract;
import dev.wharf.storage.Digest;
import dev.wharf.storage.DigestEntry;
import dev.wharf.storage.memory.MemoryBlobStore;
import dev.wharf.storage.memory.MemoryIndex;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The reconciling store keeps the whole blob store contract, and drops index entries whose bytes are gone. */
class ReconcilingBlobStoreTest extends BlobStoreContract {
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    private MemoryBlobStore memory;
    private MemoryIndex index;

    @Override
    protected BlobStore newStore() {
        memory = new MemoryBlobStore();
        index = new MemoryIndex();
        return new ReconcilingBlobStore(memory, index);
    }

    @Override
    protected long leftovers() {
        return memory.pendingWrites();
    }

    @Test
    void everyKindOfReadThatFindsTheBytesGoneDropsTheEntry() {
        Digest gone = Digest.sha256(utf8("gone"));
        DigestEntry entry = new DigestEntry(4, "", T0);

        index.putDigest(gone, entry);
        assertTrue(store.stat(gone).isEmpty());
        assertTrue(index.findDigest(gone).isEmpty());

        index.putDigest(gone, entry);
        assertTrue(store.openContent(gone).isEmpty());
        assertTrue(index.findDigest(gone).isEmpty());

        index.putDigest(gone, entry);
        assertTrue(store.findSize(gone).isEmpty());
        assertTrue(index.findDigest(gone).isEmpty());
    }

    @Test
    void entriesOfStoredBytesStay() {
        byte[] bytes = utf8("still here");
        Digest digest = Digest.sha256(bytes);
        put(digest, bytes.length, bytes);
        index.putDigest(digest, new DigestEntry(bytes.length, "", T0));

        try (BlobContent content = store.openContent(digest).orElseThrow()) {
            assertEquals(bytes.length, content.size());
        }
        assertEquals(Optional.of(new DigestEntry(bytes.length, "", T0)), index.findDigest(digest));
    }

    @Test
    void deletingBytesDropsTheirEntry() {
        byte[] bytes = utf8("evicted");
        Digest digest = Digest.sha256(bytes);
        put(digest, bytes.length, bytes);
        index.putDigest(digest, new DigestEntry(bytes.length, "", T0));

        store.delete(digest);

        assertTrue(memory.stat(digest).isEmpty());
        assertTrue(index.findDigest(digest).isEmpty());
    }
}
