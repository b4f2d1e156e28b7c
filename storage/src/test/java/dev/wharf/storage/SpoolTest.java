package dev.wharf.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {
    private static final byte[] BYTES = "spooled bytes".getBytes(StandardCharsets.UTF_8);
    private static final Digest DIGEST = Digest.sha256(BYTES);

    @TempDir
    Path dir;

    @Test
    void verifiedSpoolCopiesItsBytesInOrder() {
        try (Spool spool = Spool.create(dir, DIGEST, BYTES.length)) {
            spool.write(ByteBuffer.wrap(BYTES));
            spool.verify();
            spool.verify();

            ByteArrayOutputStream copy = new ByteArrayOutputStream();
            spool.copyTo(buffer -> {
                byte[] chunk = new byte[buffer.remaining()];
                buffer.get(chunk);
                copy.writeBytes(chunk);
            });
            assertArrayEquals(BYTES, copy.toByteArray());
            assertTrue(spool.isVerified());
            assertEquals(BYTES.length, spool.written());
        }
    }

    @Test
    void nothingIsWrittenOnceVerifiedAndNothingCopiedBefore() {
        try (Spool spool = Spool.create(dir, DIGEST, -1)) {
            spool.write(ByteBuffer.wrap(BYTES));
            assertThrows(IllegalStateException.class, () -> spool.copyTo(buffer -> {}));
            spool.verify();

            assertThrows(IllegalStateException.class, () -> spool.write(ByteBuffer.wrap(BYTES)));
        }
    }

    @Test
    void moveToRenamesTheFileAndSpendsTheSpool() throws Exception {
        Path target = dir.resolve("target");
        Spool spool = Spool.create(dir, DIGEST, BYTES.length);
        spool.write(ByteBuffer.wrap(BYTES));
        spool.verify();

        assertTrue(spool.moveTo(target));

        assertArrayEquals(BYTES, Files.readAllBytes(target));
        assertFalse(spool.isVerified());
        assertThrows(IllegalStateException.class, spool::openReader);
        spool.close();
        assertEquals(1, files());
    }

    @Test
    void moveToAnExistingTargetRemovesTheSpoolInstead() throws Exception {
        Path target = Files.write(dir.resolve("target"), BYTES);
        try (Spool spool = Spool.create(dir, DIGEST, BYTES.length)) {
            spool.write(ByteBuffer.wrap(BYTES));
            spool.verify();

            assertFalse(spool.moveTo(target));
        }
        assertEquals(1, files());
        assertArrayEquals(BYTES, Files.readAllBytes(target));
    }

    @Test
    void aClosedSpoolRefusesWork() {
        Spool spool = Spool.create(dir, DIGEST, BYTES.length);
        spool.close();

        assertThrows(IllegalStateException.class, () -> spool.write(ByteBuffer.wrap(BYTES)));
        assertThrows(IllegalStateException.class, spool::openReader);
        assertThrows(IllegalStateException.class, spool::verify);
        assertThrows(IllegalStateException.class, () -> spool.moveTo(dir.resolve("target")));
    }

    @Test
    void sweepDeletesSpoolLeftoversOnly() throws Exception {
        Files.writeString(dir.resolve("blob-1.part"), "half a layer");
        Files.writeString(dir.resolve("blob-2.part"), "another half");
        Path other = Files.writeString(dir.resolve("link-3.tmp"), "not a spool");

        assertEquals(2, Spool.sweep(dir));

        assertEquals(1, files());
        assertTrue(Files.exists(other));
    }

    @Test
    void aSpoolThatCannotBeCreatedFailsWithIo() {
        StorageException e =
                assertThrows(StorageException.class, () -> Spool.create(dir.resolve("missing"), DIGEST, BYTES.length));

        assertEquals(StorageException.Kind.IO, e.kind());
    }

    private long files() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        }
    }
}
