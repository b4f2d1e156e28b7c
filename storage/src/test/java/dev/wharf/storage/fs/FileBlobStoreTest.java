package dev.wharf.storage.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wharf.storage.BlobReader;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.BlobStoreContract;
import dev.wharf.storage.BlobWriter;
import dev.wharf.storage.Digest;
import dev.wharf.storage.Spool;
import dev.wharf.storage.StorageException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileBlobStoreTest extends BlobStoreContract {
    @TempDir
    Path root;

    @Override
    protected BlobStore newStore() {
        return FileBlobStore.open(root);
    }

    @Override
    protected long leftovers() throws Exception {
        try (Stream<Path> files = Files.list(root.resolve("tmp"))) {
            return files.count();
        }
    }

    @Test
    void blobLivesAtItsDigestPath() throws Exception {
        byte[] bytes = utf8("laid out by digest");
        Digest digest = Digest.sha256(bytes);

        put(digest, bytes.length, bytes);

        String hex = digest.encoded();
        Path expected = root.resolve("blobs/sha256/" + hex.substring(0, 2) + "/" + hex);
        assertArrayEquals(bytes, Files.readAllBytes(expected));
        assertEquals(expected, ((FileBlobStore) store).pathOf(digest));
    }

    @Test
    void tempLeftoversAreSweptAtOpen() throws Exception {
        Path leftover = Files.writeString(root.resolve("tmp/blob-123.part"), "half a layer");
        store.close();

        store = FileBlobStore.open(root);

        assertFalse(Files.exists(leftover));
        assertEquals(0, leftovers());
    }

    @Test
    void crashBeforeRenamePublishesNothing() throws Exception {
        byte[] bytes = utf8("written, never committed");
        Digest digest = Digest.sha256(bytes);
        BlobWriter crashed = store.create(digest, bytes.length);
        crashed.write(ByteBuffer.wrap(bytes));
        assertEquals(1, leftovers());
        store.close();

        store = FileBlobStore.open(root);

        assertTrue(store.open(digest).isEmpty());
        assertEquals(0, leftovers());
        assertFalse(Files.exists(((FileBlobStore) store).pathOf(digest)));
        crashed.close();
    }

    @Test
    void readerOffersItsFileForZeroCopy() throws Exception {
        byte[] bytes = utf8("sent with transferTo");
        Digest digest = Digest.sha256(bytes);
        put(digest, bytes.length, bytes);

        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (BlobReader reader = store.open(digest).orElseThrow()) {
            FileChannel file = reader.fileChannel().orElseThrow();
            file.transferTo(0, reader.size(), Channels.newChannel(sink));
        }

        assertArrayEquals(bytes, sink.toByteArray());
    }

    @Test
    void corruptWriteCreatesNoBlobFile() throws Exception {
        byte[] bytes = utf8("not what was promised");
        Digest claimed = Digest.sha256(utf8("promised"));
        try (BlobWriter writer = store.create(claimed, bytes.length)) {
            writer.write(ByteBuffer.wrap(bytes));
            StorageException e = assertThrows(StorageException.class, writer::commit);
            assertEquals(StorageException.Kind.CORRUPT, e.kind());
        }

        try (Stream<Path> files = Files.walk(root.resolve("blobs"))) {
            assertEquals(0, files.filter(Files::isRegularFile).count());
        }
        assertEquals(0, leftovers());
    }

    @Test
    void aSpoolOnAnotherFilesystemIsCopiedIn() throws Exception {
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm), "no /dev/shm");
        assumeFalse(Files.getAttribute(shm, "unix:dev").equals(Files.getAttribute(root, "unix:dev")));
        byte[] bytes = utf8("spooled on tmpfs");
        Digest digest = Digest.sha256(bytes);
        Path elsewhere = Files.createTempDirectory(shm, "wharf-spool-");
        try {
            try (Spool spool = Spool.create(elsewhere, digest, bytes.length)) {
                spool.write(ByteBuffer.wrap(bytes));
                spool.verify();
                store.publish(spool);
            }

            assertArrayEquals(bytes, Files.readAllBytes(((FileBlobStore) store).pathOf(digest)));
            assertEquals(0, leftovers());
            try (Stream<Path> left = Files.list(elsewhere)) {
                assertEquals(0, left.count());
            }
        } finally {
            Files.delete(elsewhere);
        }
    }
}
