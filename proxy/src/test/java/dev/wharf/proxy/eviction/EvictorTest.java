package dev.wharf.proxy.eviction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.config.EvictionConfig;
import dev.wharf.proxy.lab.TestClock;
import dev.wharf.storage.BlobContent;
import dev.wharf.storage.BlobInfo;
import dev.wharf.storage.BlobReader;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.BlobWriter;
import dev.wharf.storage.Digest;
import dev.wharf.storage.DigestEntry;
import dev.wharf.storage.ManifestCache;
import dev.wharf.storage.RepositoryName;
import dev.wharf.storage.StorageException;
import dev.wharf.storage.Tag;
import dev.wharf.storage.TagEntry;
import dev.wharf.storage.memory.MemoryBlobStore;
import dev.wharf.storage.memory.MemoryIndex;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Eviction on an in-memory cache of four images: A and B share a layer, C is an index of two platform manifests (one
 * of them also using the shared layer), P is pinned and the oldest of all.
 */
class EvictorTest {
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

    @TempDir
    Path dir;

    private final MemoryBlobStore store = new MemoryBlobStore();
    private final MemoryIndex index = new MemoryIndex();
    private final TestClock clock = new TestClock(T0.plus(Duration.ofDays(1)));
    private final SplittableRandom random = new SplittableRandom(7);
    private Digest shared;
    private Image a;
    private Image b;
    private Image c;
    private Image p;
    private long total;

    private record Image(Digest root, List<Digest> parts) {}

    @BeforeEach
    void fill() {
        shared = blob(1000, T0.plusSeconds(50));
        p = image("org/p", T0.plusSeconds(1), layer(2000));
        a = image("org/a", T0.plusSeconds(10), shared, layer(2000));
        b = image("org/b", T0.plusSeconds(20), shared, layer(2000));
        Image c1 = platform(T0.plusSeconds(30), layer(2000));
        Image c2 = platform(T0.plusSeconds(30), shared);
        c = index("org/c", T0.plusSeconds(30), c1, c2);
        index.forEachDigest((digest, entry) -> total += entry.size());
    }

    @Test
    void overTheQuotaTheLeastRecentlyUsedUnpinnedImageGoesWholeAndSharedLayersStay() {
        try (Evictor evictor = open(total - 1, store)) {
            EvictionPlan plan = evictor.run().join();

            assertEquals(1, plan.images().size());
            EvictionPlan.Evicted evicted = plan.images().get(0);
            assertEquals(a.root(), evicted.image().root(), "P is older but pinned");
            assertEquals(EvictionPlan.Reason.QUOTA, evicted.reason());
            List<Digest> gone = new ArrayList<>(a.parts());
            gone.remove(shared);
            assertEquals(Set.copyOf(gone), Set.copyOf(evicted.deleted()));
            assertEquals(a.root(), evicted.deleted().get(0), "the manifest goes before its blobs");
            gone.forEach(d -> assertTrue(store.stat(d).isEmpty(), d + " deleted"));
            gone.forEach(d -> assertTrue(index.findDigest(d).isEmpty(), d + " unindexed"));
            assertTrue(findTag("org/a").isEmpty());
            for (Image kept : List.of(b, c, p)) {
                assertComplete(kept);
            }
            assertTrue(store.stat(shared).isPresent(), "B and C still use the shared layer");
            assertEquals(total - evicted.freedBytes(), plan.storedAfter());
            assertTrue(plan.storedAfter() <= total - 1);
        }
    }

    @Test
    void anIndexGoesWithItsPlatformManifestsAndTheDryRunDeletesNothing() {
        try (Evictor evictor = open(1, store)) {
            EvictionPlan dry = evictor.plan().join();

            assertEquals(
                    List.of(a.root(), b.root(), c.root()),
                    dry.images().stream().map(e -> e.image().root()).toList(),
                    "least recently used first, P pinned");
            EvictionPlan.Evicted index = dry.images().get(2);
            assertTrue(
                    index.deleted().containsAll(c.parts()), "the index, both platforms, their blobs, the shared layer");
            for (Image kept : List.of(a, b, c, p)) {
                assertComplete(kept);
            }
        }
    }

    @Test
    void orphansUnusedForTheGraceAreSweptRecentOnesStay() {
        Digest old = blob(500, clock.instant().minus(Duration.ofHours(2)));
        Digest recent = blob(500, clock.instant().minus(Duration.ofMinutes(5)));
        try (Evictor evictor = open(0, store)) {
            EvictionPlan plan = evictor.run().join();

            assertEquals(List.of(new EvictionPlan.Orphan(old, 500)), plan.orphans());
            assertTrue(plan.images().isEmpty(), "no quota: no image goes");
            assertTrue(store.stat(old).isEmpty());
            assertTrue(store.stat(recent).isPresent());
        }
    }

    @Test
    void aServeRecordedInMemoryMovesAnImageBackInTheLine() {
        UseLog uses = new UseLog(clock);
        try (Evictor evictor = open(total - 1, store, uses)) {
            uses.served(a.root());

            EvictionPlan plan = evictor.run().join();

            assertEquals(b.root(), plan.images().get(0).image().root());
            assertEquals(
                    clock.instant(), index.findDigest(a.root()).orElseThrow().lastAccess(), "flushed");
        }
    }

    @Test
    void purgingATagEvictsItsImageButNotWhatOthersShare() {
        try (Evictor evictor = open(0, store)) {
            Evictor.Purge purge = evictor.purge(
                            tag -> tag.repository().toString().equals("org/b"))
                    .join();

            assertEquals(1, purge.tags().size());
            assertEquals(b.root(), purge.plan().images().get(0).image().root());
            assertTrue(store.stat(b.root()).isEmpty());
            assertTrue(store.stat(shared).isPresent());
            assertComplete(a);
        }
    }

    @Test
    void anEvictionCutShortServesNothingBrokenAndTheNextStartCompletesIt() throws Exception {
        AtomicInteger deletes = new AtomicInteger();
        BlobStore crashing = new FailingDeletes(store, deletes, 2);
        try (Evictor evictor = open(total - 1, crashing)) {
            CompletionException e =
                    assertThrows(CompletionException.class, () -> evictor.run().join());
            assertTrue(e.getCause() instanceof StorageException, e.toString());
        }
        assertEquals(2, deletes.get(), "the second delete failed: the process died there");
        assertTrue(new EvictionJournal(dir).read().isPresent(), "the journal lists what was to go");
        assertTrue(findTag("org/a").isEmpty(), "the tag went first: no client is led to a half-deleted image");
        for (Image kept : List.of(b, c, p)) {
            assertComplete(kept);
        }
        assertTrue(a.parts().stream().anyMatch(d -> store.stat(d).isPresent()), "some of A is left");

        try (Evictor restarted = open(total - 1, store)) {
            List<Digest> gone = new ArrayList<>(a.parts());
            gone.remove(shared);
            gone.forEach(d -> assertTrue(store.stat(d).isEmpty(), d + " deleted on restart"));
            assertTrue(new EvictionJournal(dir).read().isEmpty(), "the journal is cleared");
            assertTrue(restarted.plan().join().images().isEmpty(), "within the quota now");
        }
        for (Image kept : List.of(b, c, p)) {
            assertComplete(kept);
        }
    }

    private Evictor open(long maxSize, BlobStore blobs) {
        return open(maxSize, blobs, new UseLog(clock));
    }

    private Evictor open(long maxSize, BlobStore blobs, UseLog uses) {
        EvictionSettings settings = new EvictionSettings(
                blobs,
                index,
                index,
                new ManifestCache(1 << 20),
                dir,
                new EvictionConfig(maxSize, 0, Duration.ofHours(1)),
                digest -> digest.equals(p.root()),
                uses,
                clock,
                false);
        return Evictor.open(settings, new SimpleMeterRegistry());
    }

    private void assertComplete(Image image) {
        for (Digest part : image.parts()) {
            assertTrue(store.stat(part).isPresent(), part + " of " + image.root() + " is kept");
            assertTrue(index.findDigest(part).isPresent(), part + " of " + image.root() + " is indexed");
        }
    }

    private Optional<TagEntry> findTag(String repository) {
        return index.findTag("up.test", RepositoryName.parse(repository), Tag.parse("1"));
    }

    private Digest layer(int size) {
        return blob(size, T0);
    }

    private Digest blob(int size, Instant lastUse) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return put(bytes, "", lastUse);
    }

    private Image image(String repository, Instant lastUse, Digest... layers) {
        Image image = platform(lastUse, layers);
        tag(repository, image.root(), OCI_MANIFEST);
        return image;
    }

    private Image platform(Instant lastUse, Digest... layers) {
        Digest config = blob(100, T0);
        StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",")
                .append("\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":100,")
                .append("\"digest\":\"" + config + "\"},\"layers\":[");
        for (int i = 0; i < layers.length; i++) {
            json.append(i > 0 ? "," : "")
                    .append("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"size\":1,")
                    .append("\"digest\":\"" + layers[i] + "\"}");
        }
        json.append("]}");
        Digest root = put(json.toString().getBytes(StandardCharsets.UTF_8), OCI_MANIFEST, lastUse);
        List<Digest> parts = new ArrayList<>(List.of(root, config));
        parts.addAll(List.of(layers));
        return new Image(root, parts);
    }

    private Image index(String repository, Instant lastUse, Image... children) {
        StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",")
                .append("\"manifests\":[");
        List<Digest> parts = new ArrayList<>();
        for (int i = 0; i < children.length; i++) {
            json.append(i > 0 ? "," : "")
                    .append("{\"mediaType\":\"" + OCI_MANIFEST + "\",\"size\":1,\"digest\":\"")
                    .append(children[i].root())
                    .append("\",\"platform\":{\"os\":\"linux\",\"architecture\":\"arch" + i + "\"}}");
            parts.addAll(children[i].parts());
        }
        json.append("]}");
        Digest root = put(json.toString().getBytes(StandardCharsets.UTF_8), OCI_INDEX, lastUse);
        parts.add(0, root);
        tag(repository, root, OCI_INDEX);
        return new Image(root, List.copyOf(new LinkedHashSet<>(parts)));
    }

    private void tag(String repository, Digest digest, String mediaType) {
        index.putTag(
                "up.test", RepositoryName.parse(repository), Tag.parse("1"), new TagEntry(digest, mediaType, T0, T0));
    }

    private Digest put(byte[] bytes, String mediaType, Instant lastUse) {
        Digest digest = Digest.sha256(bytes);
        try (BlobWriter writer = store.create(digest, bytes.length)) {
            writer.write(ByteBuffer.wrap(bytes));
            writer.commit();
        }
        index.putDigest(digest, new DigestEntry(bytes.length, mediaType, lastUse));
        return digest;
    }

    /** A store whose {@code failAt}-th delete fails, as if the process died there. */
    private static final class FailingDeletes implements BlobStore {
        private final BlobStore store;
        private final AtomicInteger deletes;
        private final int failAt;

        FailingDeletes(BlobStore store, AtomicInteger deletes, int failAt) {
            this.store = store;
            this.deletes = deletes;
            this.failAt = failAt;
        }

        @Override
        public Optional<BlobReader> open(Digest digest) {
            return store.open(digest);
        }

        @Override
        public Optional<Long> findSize(Digest digest) {
            return store.findSize(digest);
        }

        @Override
        public Optional<BlobInfo> stat(Digest digest) {
            return store.stat(digest);
        }

        @Override
        public Optional<BlobContent> openContent(Digest digest) {
            return store.openContent(digest);
        }

        @Override
        public BlobWriter create(Digest expected, long expectedSize) {
            return store.create(expected, expectedSize);
        }

        @Override
        public void delete(Digest digest) {
            if (deletes.incrementAndGet() == failAt) {
                throw new StorageException(StorageException.Kind.IO, "killed");
            }
            store.delete(digest);
        }

        @Override
        public void close() {}
    }
}
