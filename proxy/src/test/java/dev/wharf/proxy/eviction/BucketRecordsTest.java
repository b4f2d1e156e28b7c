package dev.wharf.proxy.eviction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.storage.BlobWriter;
import dev.wharf.storage.Digest;
import dev.wharf.storage.RepositoryName;
import dev.wharf.storage.Tag;
import dev.wharf.storage.memory.MemoryBlobStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The records of a shared bucket's eviction (journal, published uses) read back as written, and a replica's view of
 * digests being evicted: absent until it stores them again.
 */
class BucketRecordsTest {
    @TempDir
    java.nio.file.Path dir;

    private static final byte[] BYTES = "layer".getBytes(StandardCharsets.UTF_8);
    private static final Digest LAYER = Digest.sha256(BYTES);
    private static final Digest OTHER = Digest.sha256("other".getBytes(StandardCharsets.UTF_8));

    @Test
    void aJournalReadsBackAsWrittenAndAnythingElseIsRefused() {
        BucketJournal journal = new BucketJournal(
                Instant.parse("2026-11-26T12:00:00Z"),
                Instant.parse("2026-11-26T12:15:00Z"),
                List.of(new TagRef("up.test", RepositoryName.parse("org/app"), Tag.parse("1.0"))),
                List.of(OTHER, LAYER));

        assertEquals(journal, BucketJournal.parse(journal.bytes()));
        for (String text : List.of(
                "",
                "wharf-eviction v1\n",
                "wharf-bucket-eviction v1\nstarted\t2026-11-26T12:00:00Z\n",
                "wharf-bucket-eviction v1\nstarted\tsoon\ndeleteAfter\tlater\n",
                "wharf-bucket-eviction v1\nstarted\t2026-11-26T12:00:00Z\ndeleteAfter\t2026-11-26T12:00:00Z\nrm -rf\n",
                "wharf-bucket-eviction v1\nstarted\t2026-11-26T12:00:00Z\ndeleteAfter\t2026-11-26T12:00:00Z\ntag\tx\n")) {
            assertThrows(
                    IllegalArgumentException.class,
                    () -> BucketJournal.parse(text.getBytes(StandardCharsets.UTF_8)),
                    text);
        }
        assertTrue(BucketJournal.name(Instant.ofEpochMilli(42)).matches("42-[0-9a-f-]{36}"));
    }

    @Test
    void usesMergeLatestWinsPinsAddUpAndUnreadableLinesAreSkipped() {
        Map<Digest, Instant> uses = Map.of(LAYER, Instant.ofEpochMilli(2_000), OTHER, Instant.ofEpochMilli(1_000));
        Map<Digest, Instant> merged = new HashMap<>(Map.of(LAYER, Instant.ofEpochMilli(5_000)));
        Set<Digest> pinned = new HashSet<>();

        BucketUses.decode(BucketUses.encode(uses, Set.of(OTHER)), merged, pinned);
        BucketUses.decode(
                ("not a digest\t1\n" + OTHER + "\tnot a time\n" + OTHER + "\npin\tnot a digest\n")
                        .getBytes(StandardCharsets.UTF_8),
                merged,
                pinned);

        assertEquals(Map.of(LAYER, Instant.ofEpochMilli(5_000), OTHER, Instant.ofEpochMilli(1_000)), merged);
        assertEquals(Set.of(OTHER), pinned);
    }

    @Test
    void aDigestBeingEvictedIsNeverReadFromTheBucketUntilNoJournalNamesItAndStoredAgainIsHeldLocally() {
        MemoryBlobStore memory = new MemoryBlobStore();
        store(memory);
        PendingEvictions pending = new PendingEvictions();
        List<Digest> reclaimed = new ArrayList<>();
        pending.onReclaim(reclaimed::add);
        PendingEvictionStore store = new PendingEvictionStore(memory, pending, dir.resolve("evicting"));

        pending.replace(Set.of(LAYER));
        assertTrue(store.stat(LAYER).isEmpty(), "hidden while it is being evicted");
        assertTrue(store.open(LAYER).isEmpty());
        assertTrue(store.openContent(LAYER).isEmpty());
        assertTrue(store.findSize(LAYER).isEmpty());

        store(store);
        store(store);
        assertEquals(List.of(LAYER), reclaimed, "reported once");
        memory.delete(LAYER); // the evictor deletes it from the bucket all the same
        pending.replace(Set.of(LAYER));
        assertTrue(pending.isGoing(LAYER), "going while a journal names it");
        assertEquals(BYTES.length, store.stat(LAYER).orElseThrow().size(), "served from the local holding");
        assertEquals(BYTES.length, store.findSize(LAYER).orElseThrow());
        try (var reader = store.open(LAYER).orElseThrow()) {
            assertEquals(BYTES.length, reader.size());
        }
        assertTrue(memory.stat(LAYER).isEmpty(), "not written to the bucket while a journal names it");

        pending.replace(Set.of());
        assertTrue(store.stat(LAYER).isEmpty(), "the journal gone, the bucket's answer (gone: a miss)");
        store(store);
        assertEquals(BYTES.length, memory.stat(LAYER).orElseThrow().size(), "stored in the bucket again");
        pending.add(List.of(LAYER));
        assertTrue(pending.isGoing(LAYER), "a new eviction of it hides it again");
        assertTrue(store.stat(LAYER).isEmpty(), "the earlier held copy was dropped");
        store(store);
        assertEquals(List.of(LAYER, LAYER), reclaimed, "reported again for the new eviction");
    }

    private static void store(dev.wharf.storage.BlobStore store) {
        try (BlobWriter writer = store.create(LAYER, BYTES.length)) {
            writer.write(ByteBuffer.wrap(BYTES));
            writer.commit();
        }
    }
}
