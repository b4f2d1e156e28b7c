package dev.wharf.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** What every {@link BlobOpener} of a store must do; each store's role test runs it. */
public abstract class BlobOpenerContract extends BlobStoreFixture {
    /** The case of {@link BlobContent} the store yields; never a redirect for a store not configured to redirect. */
    protected abstract Class<? extends BlobContent> contentCase();

    @Test
    void contentIsTheStoresCaseWithTheExactBytes() throws Exception {
        byte[] bytes = utf8("opened as content");
        Digest digest = ingest(bytes);

        try (BlobContent content = store.openContent(digest).orElseThrow()) {
            assertInstanceOf(contentCase(), content);
            assertFalse(content instanceof BlobContent.Redirect, "today's stores hand out bytes");
            assertEquals(bytes.length, content.size());
            assertArrayEquals(bytes, readAll(content));
        }
    }

    @Test
    void contentReadsAtAnyPosition() throws Exception {
        Digest digest = ingest(utf8("0123456789"));

        try (BlobContent content = store.openContent(digest).orElseThrow()) {
            assertArrayEquals(utf8("456"), read(content, 4, 3));
            assertArrayEquals(utf8("89"), read(content, 8, 8));
            assertArrayEquals(new byte[0], read(content, 10, 1));
        }
    }

    @Test
    void largeContentReadsWhole() throws Exception {
        byte[] bytes = random(9, 3);
        Digest digest = ingest(bytes);

        try (BlobContent content = store.openContent(digest).orElseThrow()) {
            assertEquals(bytes.length, content.size());
            for (int at = 0; at < bytes.length; at += CHUNK / 3) {
                int n = Math.min(CHUNK / 3, bytes.length - at);
                assertArrayEquals(Arrays.copyOfRange(bytes, at, at + n), read(content, at, n));
            }
        }
    }

    @Test
    void openAlwaysYieldsTheBytes() throws Exception {
        byte[] bytes = utf8("read by those that must read");
        Digest digest = ingest(bytes);

        try (BlobReader reader = store.open(digest).orElseThrow()) {
            ByteBuffer all = ByteBuffer.allocate(bytes.length);
            assertEquals(bytes.length, reader.read(all, 0));
            assertArrayEquals(bytes, all.array());
            assertEquals(-1, reader.read(ByteBuffer.allocate(1), bytes.length));
        }
    }

    @Test
    void closingContentTwiceIsHarmless() {
        Digest digest = ingest(utf8("closed twice"));

        BlobContent content = store.openContent(digest).orElseThrow();
        content.close();
        content.close();
    }

    @Test
    void absentDigestOpensNothing() {
        Digest absent = Digest.sha256(utf8("never stored"));

        assertTrue(store.openContent(absent).isEmpty());
        assertTrue(store.open(absent).isEmpty());
    }

    @Test
    void closedStoreRefusesToOpen() {
        store.close();

        StorageException e = assertThrows(StorageException.class, () -> store.openContent(Digest.sha256(utf8("x"))));
        assertEquals(StorageException.Kind.IO, e.kind());
    }
}
