package dev.wharf.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.storage.index.StoreBackedIndex;
import dev.wharf.storage.memory.MemoryIndex;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a {@link StoreBackedIndex} must do over every store: two replicas share one blob store and one link store,
 * each with an index of its own; what one writes, the other finds, and its own index is then repopulated.
 */
public abstract class StoreBackedIndexContract {
    private static final String HUB = "docker.io";
    private static final RepositoryName NGINX = RepositoryName.parse("library/nginx");
    private static final Instant T0 = Instant.parse("2025-01-02T03:04:05.123Z");
    private static final Instant NOW = T0.plusSeconds(3600);
    private static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    @TempDir
    protected Path dir;

    private BlobStore blobs;
    private LinkStore links;
    private MemoryIndex ownIndex;
    private MemoryIndex otherIndex;
    private CacheIndex writer;
    private CacheIndex reader;

    /** A fresh, empty blob store, kept under {@link #dir} if it needs a disk. */
    protected abstract BlobStore newBlobStore();

    /** A fresh, empty link store over the same place as {@link #newBlobStore()}. */
    protected abstract LinkStore newLinkStore();

    /** Where spools for the blob store go. */
    protected abstract Path spoolDirectory();

    @BeforeEach
    void openReplicas() {
        blobs = newBlobStore();
        links = newLinkStore();
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        ownIndex = new MemoryIndex();
        otherIndex = new MemoryIndex();
        writer = new StoreBackedIndex(ownIndex, blobs, links, clock);
        reader = new StoreBackedIndex(otherIndex, blobs, links, clock);
    }

    @AfterEach
    void closeReplicas() {
        writer.close();
        reader.close();
        blobs.close();
    }

    @Test
    void anEmptyIndexFindsTagsInTheStoreAndKeepsThem() {
        Tag latest = Tag.parse("latest");
        writer.putTag(HUB, NGINX, latest, new TagEntry(digest("m"), MANIFEST, T0, T0.plusSeconds(5)));

        Optional<TagEntry> found = reader.findTag(HUB, NGINX, latest);

        TagEntry rebuilt = new TagEntry(digest("m"), MANIFEST, T0.plusSeconds(5), T0.plusSeconds(5));
        assertEquals(Optional.of(rebuilt), found);
        assertEquals(Optional.of(rebuilt), otherIndex.findTag(HUB, NGINX, latest), "the index is repopulated");
        assertEquals(List.of("latest"), reader.listTags(HUB, NGINX));
    }

    @Test
    void anEmptyIndexFindsDigestsInTheStoreAndKeepsThem() {
        byte[] manifest = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
        Digest manifestDigest = ingest(manifest);
        writer.putDigest(manifestDigest, new DigestEntry(manifest.length, MANIFEST, T0));
        byte[] layer = "layer bytes".getBytes(StandardCharsets.UTF_8);
        Digest layerDigest = ingest(layer);
        writer.putDigest(layerDigest, new DigestEntry(layer.length, "", T0));

        assertEquals(Optional.of(new DigestEntry(manifest.length, MANIFEST, NOW)), reader.findDigest(manifestDigest));
        assertEquals(Optional.of(new DigestEntry(layer.length, "", NOW)), reader.findDigest(layerDigest));
        assertEquals(Optional.of(new DigestEntry(layer.length, "", NOW)), otherIndex.findDigest(layerDigest));
        assertTrue(otherIndex.findDigest(manifestDigest).isPresent(), "the index is repopulated");
    }

    @Test
    void bytesStoredWithoutAnyIndexAreFound() {
        byte[] layer = "published by a replica that crashed before indexing".getBytes(StandardCharsets.UTF_8);
        Digest digest = ingest(layer);

        assertEquals(Optional.of(new DigestEntry(layer.length, "", NOW)), reader.findDigest(digest));
    }

    @Test
    void seenMarksAreFoundInTheStore() {
        writer.markSeen(HUB, NGINX, digest("layer"));

        assertTrue(reader.isSeen(HUB, NGINX, digest("layer")));
        assertTrue(otherIndex.isSeen(HUB, NGINX, digest("layer")), "the index is repopulated");
        assertFalse(reader.isSeen(HUB, RepositoryName.parse("library/redis"), digest("layer")));
    }

    @Test
    void whatNeitherHoldsIsEmptyAndNotIndexed() {
        assertTrue(reader.findTag(HUB, NGINX, Tag.parse("nope")).isEmpty());
        assertTrue(reader.findDigest(digest("nope")).isEmpty());
        assertEquals(List.of(), reader.listTags(HUB, NGINX));
        assertTrue(otherIndex.findDigest(digest("nope")).isEmpty());
    }

    @Test
    void tagsAreListedFromTheStoreAndTheIndexAlike() {
        writer.putTag(HUB, NGINX, Tag.parse("1.0"), new TagEntry(digest("a"), MANIFEST, T0, T0));
        otherIndex.putTag(HUB, NGINX, Tag.parse("0.9"), new TagEntry(digest("b"), MANIFEST, T0, T0));

        assertEquals(List.of("0.9", "1.0"), reader.listTags(HUB, NGINX));
    }

    @Test
    void aDeletedTagIsGoneForEveryReplica() {
        Tag tag = Tag.parse("gone");
        writer.putTag(HUB, NGINX, tag, new TagEntry(digest("a"), MANIFEST, T0, T0));

        writer.deleteTag(HUB, NGINX, tag);

        assertTrue(reader.findTag(HUB, NGINX, tag).isEmpty());
        assertTrue(writer.findTag(HUB, NGINX, tag).isEmpty());
    }

    @Test
    void writesReachTheStoreBeforeTheIndex() {
        ownIndex.close();

        assertThrows(
                StorageException.class,
                () -> writer.putTag(HUB, NGINX, Tag.parse("1"), new TagEntry(digest("a"), MANIFEST, T0, T0)));
        assertThrows(StorageException.class, () -> writer.putDigest(digest("a"), new DigestEntry(1, MANIFEST, T0)));
        assertThrows(StorageException.class, () -> writer.markSeen(HUB, NGINX, digest("a")));

        assertTrue(reader.findTag(HUB, NGINX, Tag.parse("1")).isPresent(), "the failed index write came second");
        assertEquals(Optional.of(MANIFEST), links.findMediaType(digest("a")));
        assertTrue(reader.isSeen(HUB, NGINX, digest("a")));
    }

    @Test
    void upstreamNamesMustBeHosts() {
        assertThrows(IllegalArgumentException.class, () -> reader.findTag("../x", NGINX, Tag.parse("1")));
        assertThrows(IllegalArgumentException.class, () -> reader.listTags("a/b", NGINX));
    }

    private Digest ingest(byte[] bytes) {
        Digest digest = Digest.sha256(bytes);
        try (Spool spool = Spool.create(spoolDirectory(), digest, bytes.length)) {
            spool.write(ByteBuffer.wrap(bytes));
            spool.verify();
            blobs.publish(spool);
        }
        return digest;
    }

    private static Digest digest(String seed) {
        return Digest.sha256(seed.getBytes(StandardCharsets.UTF_8));
    }
}
