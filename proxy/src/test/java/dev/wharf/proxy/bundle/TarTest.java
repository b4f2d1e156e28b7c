package dev.wharf.proxy.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarTest {
    private static final String LONG = "blobs/sha512/" + "c".repeat(128);

    private static Map<String, byte[]> entries() {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("oci-layout", BundleIndex.layout());
        entries.put("blobs/sha256/" + "a".repeat(64), new byte[1000]);
        entries.put(LONG, "x".repeat(512).getBytes(StandardCharsets.US_ASCII));
        entries.put("index.json", "{}".getBytes(StandardCharsets.US_ASCII));
        return entries;
    }

    private static byte[] write(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TarWriter tar = new TarWriter(out);
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            tar.file(e.getKey(), e.getValue());
        }
        tar.close();
        return out.toByteArray();
    }

    @Test
    void whatIsWrittenIsReadBackAndTheSameEntriesGiveTheSameBytes() throws IOException {
        byte[] tar = write(entries());
        assertArrayEquals(tar, write(entries()));
        assertEquals(0, tar.length % 512);

        TarReader reader = new TarReader(new ByteArrayInputStream(tar));
        Map<String, byte[]> read = new LinkedHashMap<>();
        for (Optional<TarReader.Entry> e = reader.next(); e.isPresent(); e = reader.next()) {
            byte[] body = reader.body().readAllBytes();
            assertEquals(e.get().size(), body.length);
            read.put(e.get().name(), body);
        }
        assertEquals(entries().keySet(), read.keySet());
        entries().forEach((name, body) -> assertArrayEquals(body, read.get(name), name));
    }

    @Test
    void gnuTarListsItWithFixedOwnersModesAndTimes(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("b.tar");
        Files.write(file, write(entries()));
        Process tar = new ProcessBuilder("tar", "--numeric-owner", "--full-time", "-tvf", file.toString())
                .redirectErrorStream(true)
                .start();
        String listing = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(tar.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, tar.exitValue(), listing);
        String[] lines = listing.strip().split("\n");
        assertEquals(4, lines.length, listing);
        for (String line : lines) {
            assertTrue(line.startsWith("-rw-r--r-- 0/0"), line);
            assertTrue(line.contains("2000-01-01 00:00:00"), line);
        }
        assertTrue(listing.contains(LONG), listing);
    }

    @Test
    void aCutArchiveSaysWhichEntryIsShortAndABadHeaderIsRefused() throws IOException {
        byte[] tar = write(entries());
        byte[] cut = Arrays.copyOf(tar, 512 + 512 + 512 + 300);
        TarReader reader = new TarReader(new ByteArrayInputStream(cut));
        reader.next();
        reader.next();
        EOFException e = assertThrows(EOFException.class, () -> reader.body().readAllBytes());
        assertTrue(e.getMessage().contains("blobs/sha256/" + "a".repeat(64)), e.getMessage());

        byte[] withoutEnd = Arrays.copyOf(tar, tar.length - 1024);
        TarReader ends = new TarReader(new ByteArrayInputStream(withoutEnd));
        IOException noEnd = assertThrows(IOException.class, () -> {
            while (ends.next().isPresent()) {
                ends.body().readAllBytes();
            }
        });
        assertTrue(noEnd.getMessage().contains("truncated"), noEnd.getMessage());

        byte[] flipped = tar.clone();
        flipped[10] ^= 1;
        assertThrows(IOException.class, () -> new TarReader(new ByteArrayInputStream(flipped)).next());
    }
}
