package dev.wharf.proxy.eviction;

import dev.wharf.proxy.pull.Manifest;
import dev.wharf.proxy.pull.ManifestContents;
import dev.wharf.storage.BlobReader;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.CacheIndex;
import dev.wharf.storage.Digest;
import dev.wharf.storage.DigestEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the cache holds at one moment, read from the index: every stored digest with its size and last use, which
 * manifests reference which digests (read from the manifests' exact bytes, remembered by digest since they never
 * change), the tags, and from these the images. Taken on the eviction thread; it blocks on the index and the store.
 */
final class CacheCensus {
    /** Manifests larger than this are not read for references (the cache never stores larger ones). */
    private static final long MAX_MANIFEST_BYTES = 4L * 1024 * 1024;

    /** One stored digest. */
    record Item(Digest digest, long size, boolean manifest, Instant lastUse) {}

    /** References read from manifests, kept across censuses: a digest's bytes never change. */
    static final class References {
        private final Map<Digest, List<Digest>> byManifest = new ConcurrentHashMap<>();

        List<Digest> of(Digest manifest, String mediaType, BlobStore store) {
            return byManifest.computeIfAbsent(manifest, d -> read(d, mediaType, store));
        }

        void forget(Digest digest) {
            byManifest.remove(digest);
        }

        private static List<Digest> read(Digest digest, String mediaType, BlobStore store) {
            Optional<BlobReader> opened = store.open(digest);
            if (opened.isEmpty()) {
                return List.of();
            }
            try (BlobReader reader = opened.get()) {
                if (reader.size() > MAX_MANIFEST_BYTES) {
                    return List.of();
                }
                ByteBuffer buffer = ByteBuffer.allocate((int) reader.size());
                while (buffer.hasRemaining()) {
                    if (reader.read(buffer, buffer.position()) < 0) {
                        return List.of();
                    }
                }
                ManifestContents contents = ManifestContents.of(new Manifest(digest, mediaType, buffer.array()));
                List<Digest> references = new ArrayList<>();
                if (contents instanceof ManifestContents.Index index) {
                    index.entries().forEach(entry -> references.add(entry.digest()));
                } else if (contents instanceof ManifestContents.Image image) {
                    image.config().ifPresent(references::add);
                    references.addAll(image.layers());
                }
                return List.copyOf(references);
            } catch (IOException | IllegalArgumentException e) {
                // Bytes that are not a manifest reference nothing: the digest is then only itself.
                return List.of();
            }
        }
    }

    private final Map<Digest, Item> items;
    private final Map<Digest, List<Digest>> references;
    private final Map<Digest, List<TagRef>> tagsByDigest;

    private CacheCensus(
            Map<Digest, Item> items, Map<Digest, List<Digest>> references, Map<Digest, List<TagRef>> tagsByDigest) {
        this.items = items;
        this.references = references;
        this.tagsByDigest = tagsByDigest;
    }

    /**
     * A census of {@code items}, the references of the manifests among them ({@code references}, by manifest) and
     * the tags pointing at each digest.
     */
    static CacheCensus of(
            Map<Digest, Item> items, Map<Digest, List<Digest>> references, Map<Digest, List<TagRef>> tagsByDigest) {
        return new CacheCensus(items, references, tagsByDigest);
    }

    /** Reads the index (and the bytes of manifests not read before) into a census. */
    static CacheCensus take(CacheIndex index, BlobStore store, UseLog uses, References known) {
        Map<Digest, Item> items = new HashMap<>();
        Map<Digest, List<Digest>> references = new HashMap<>();
        index.forEachDigest((digest, entry) -> {
            Instant lastUse = lastUse(entry, uses.recent(digest));
            boolean manifest = !entry.mediaType().isEmpty();
            items.put(digest, new Item(digest, entry.size(), manifest, lastUse));
            if (manifest) {
                references.put(digest, known.of(digest, entry.mediaType(), store));
            }
        });
        Map<Digest, List<TagRef>> tags = new HashMap<>();
        index.forEachTag(
                (upstream, repository, tag, entry) -> tags.computeIfAbsent(entry.digest(), d -> new ArrayList<>())
                        .add(new TagRef(upstream, repository, tag)));
        return new CacheCensus(items, references, tags);
    }

    private static Instant lastUse(DigestEntry entry, Optional<Instant> recent) {
        return recent.filter(r -> r.isAfter(entry.lastAccess())).orElse(entry.lastAccess());
    }

    /** Every stored digest. */
    Map<Digest, Item> items() {
        return items;
    }

    /** The bytes of every stored digest, each counted once. */
    long storedBytes() {
        return items.values().stream().mapToLong(Item::size).sum();
    }

    /** Tags pointing at {@code digest}; empty when none. */
    List<TagRef> tagsOf(Digest digest) {
        return tagsByDigest.getOrDefault(digest, List.of());
    }

    /** Every tag, with the digest it points at (also tags whose manifest is no longer stored). */
    Map<Digest, List<TagRef>> tags() {
        return tagsByDigest;
    }

    /**
     * The images: one per stored manifest that no other stored manifest references, least recently used first (by
     * the last serve of any of its manifests), ties by digest.
     */
    List<CachedImage> images() {
        Set<Digest> referenced = new HashSet<>();
        references.forEach((manifest, children) ->
                children.stream().filter(child -> !child.equals(manifest)).forEach(referenced::add));
        List<CachedImage> images = new ArrayList<>();
        for (Item item : items.values()) {
            if (item.manifest() && !referenced.contains(item.digest())) {
                images.add(image(item.digest()));
            }
        }
        images.sort(Comparator.comparing(CachedImage::lastUse)
                .thenComparing(i -> i.root().toString()));
        return images;
    }

    /** The stored parts of the image under {@code root}: manifests (breadth first) before other blobs. */
    private CachedImage image(Digest root) {
        Set<Digest> manifests = new LinkedHashSet<>();
        Set<Digest> blobs = new LinkedHashSet<>();
        Deque<Digest> queue = new ArrayDeque<>(List.of(root));
        Instant lastUse = Instant.EPOCH;
        while (!queue.isEmpty()) {
            Digest digest = queue.poll();
            Item item = items.get(digest);
            if (item == null || manifests.contains(digest) || blobs.contains(digest)) {
                continue;
            }
            if (item.manifest()) {
                manifests.add(digest);
                if (item.lastUse().isAfter(lastUse)) {
                    lastUse = item.lastUse();
                }
                queue.addAll(references.getOrDefault(digest, List.of()));
            } else {
                blobs.add(digest);
            }
        }
        List<Digest> parts = new ArrayList<>(manifests);
        parts.addAll(blobs);
        long bytes = parts.stream().mapToLong(d -> items.get(d).size()).sum();
        return new CachedImage(root, parts, tagsOf(root), lastUse, bytes);
    }
}
