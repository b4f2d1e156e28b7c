package dev.wharf.storage.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.storage.BlobReader;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.BlobStoreContract;
import dev.wharf.storage.BlobWriter;
import dev.wharf.storage.Digest;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class MemoryBlobStoreTest extends BlobStoreContract {
    @Override
    protected BlobStore newStore() {
        return new MemoryBlobStore();
    }

    @Override
    protected long leftovers() {
        return ((MemoryBlobStore) store).pendingWrites();
    }

    @Test
    void unfinishedWriterIsCountedUntilItEnds() {
        byte[] bytes = utf8("in flight");
        BlobWriter writer = store.create(Digest.sha256(bytes), bytes.length);
        writer.write(ByteBuffer.wrap(bytes));

        assertEquals(1, leftovers());
        writer.close();
        assertEquals(0, leftovers());
    }

    @Test
    void readerHasNoFile() {
        byte[] bytes = utf8("heap only");
        Digest digest = Digest.sha256(bytes);
        put(digest, bytes.length, bytes);

        try (BlobReader reader = store.open(digest).orElseThrow()) {
            assertTrue(reader.fileChannel().isEmpty());
        }
    }
}
