package dev.wharf.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.storage.fs.FileBlobStore;
import dev.wharf.storage.index.ReconcilingBlobStore;
import dev.wharf.storage.index.RocksIndex;
import dev.wharf.storage.memory.MemoryBlobStore;
import dev.wharf.storage.memory.MemoryIndex;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StartupCheckTest {
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    @Test
    void startUpLooksAtNoBlobAndKeepsEveryEntry() {
        try (CountingBlobStore store = new CountingBlobStore(new MemoryBlobStore());
                CacheIndex index = new MemoryIndex()) {
            Digest kept = put(store, "kept");
            Digest missing = Digest.sha256(bytes("missing"));
            for (int i = 0; i < 100; i++) {
                index.putDigest(Digest.sha256(bytes("entry " + i)), new DigestEntry(i, "", T0));
            }
            index.putDigest(kept, new DigestEntry(4, "", T0));
            index.putDigest(missing, new DigestEntry(7, "", T0));

            assertEquals(0, StartupCheck.reconcile(store, index));

            assertEquals(0, store.looks(), "no stat, size or open per digest");
            assertEquals(Optional.of(new DigestEntry(4, "", T0)), index.findDigest(kept));
            assertEquals(Optional.of(new DigestEntry(7, "", T0)), index.findDigest(missing));
        }
    }

    @Test
    void aBlobRemovedWhileStoppedIsForgottenWhenFirstRead(@TempDir Path root) throws Exception {
        Digest digest;
        try (BlobStore store = FileBlobStore.open(root.resolve("blobs"));
                CacheIndex index = RocksIndex.open(root.resolve("index"))) {
            digest = put(store, "layer");
            index.putDigest(digest, new DigestEntry(5, "", T0));
        }
        String hex = digest.encoded();
        Files.delete(root.resolve("blobs/blobs/sha256/" + hex.substring(0, 2) + "/" + hex));

        try (CacheIndex index = RocksIndex.open(root.resolve("index"));
                BlobStore store = new ReconcilingBlobStore(FileBlobStore.open(root.resolve("blobs")), index)) {
            assertEquals(0, StartupCheck.reconcile(store, index));
            assertTrue(index.findDigest(digest).isPresent(), "start-up kept it");

            assertTrue(store.open(digest).isEmpty());

            assertTrue(index.findDigest(digest).isEmpty(), "the read that found it gone dropped it");
        }
    }

    private static Digest put(BlobStore store, String text) {
        byte[] bytes = bytes(text);
        Digest digest = Digest.sha256(bytes);
        try (BlobWriter writer = store.create(digest, bytes.length)) {
            writer.write(ByteBuffer.wrap(bytes));
            writer.commit();
        }
        return digest;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
