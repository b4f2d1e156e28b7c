package dev.wharf.storage.index;

import dev.wharf.storage.BlobStatter;
import dev.wharf.storage.CacheIndex;
import dev.wharf.storage.Digest;
import dev.wharf.storage.DigestEntry;
import dev.wharf.storage.LinkStore;
import dev.wharf.storage.RepositoryName;
import dev.wharf.storage.Tag;
import dev.wharf.storage.TagEntry;
import dev.wharf.storage.TagLink;
import dev.wharf.storage.UpstreamName;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * An index that is a cache of what the store holds. A find that misses {@code index} asks the store ({@code links} for
 * tags, media types and seen marks, {@code blobs} for sizes) and puts what it finds back into {@code index}, so that
 * a replica with an empty index finds what another replica wrote to a shared store, and a lost index rebuilds itself
 * as it is used. Writes go to the store first, then to {@code index}, so the index never holds what the store lacks.
 *
 * <p>Upstream names must parse as {@link UpstreamName} ({@link IllegalArgumentException} otherwise). Digest entries
 * rebuilt from the store carry the store's size, the recorded media type (empty for plain blobs) and the clock's now
 * as last access; tag entries carry the link's confirmation time as both fetch and verification time. Absence is not
 * remembered: each miss asks the store again. Put a {@link CachingIndex} in front for hot entries. Thread-safe when
 * its parts are.
 */
public final class StoreBackedIndex implements CacheIndex {
    private final CacheIndex index;
    private final BlobStatter blobs;
    private final LinkStore links;
    private final Clock clock;

    /** An index over {@code index} (which it owns and closes) backed by {@code blobs} and {@code links}. */
    public StoreBackedIndex(CacheIndex index, BlobStatter blobs, LinkStore links, Clock clock) {
        this.index = index;
        this.blobs = blobs;
        this.links = links;
        this.clock = clock;
    }

    /** {@inheritDoc} On a miss, the store's link, which is then indexed. */
    @Override
    public Optional<TagEntry> findTag(String upstream, RepositoryName repository, Tag tag) {
        UpstreamName name = UpstreamName.parse(upstream);
        return index.findTag(upstream, repository, tag)
                .or(() -> links.findTag(name, repository, tag).map(link -> {
                    TagEntry entry = link.toEntry();
                    index.putTag(upstream, repository, tag, entry);
                    return entry;
                }));
    }

    /**
     * {@inheritDoc} The store keeps digest, media type and verification time, written when the store's link differs;
     * a re-check that only confirms the digest updates the index alone (a rebuilt entry then looks older than it is,
     * which costs one early re-check, while every confirmation would otherwise cost a durable write).
     */
    @Override
    public void putTag(String upstream, RepositoryName repository, Tag tag, TagEntry entry) {
        UpstreamName name = UpstreamName.parse(upstream);
        boolean kept = links.findTag(name, repository, tag)
                .filter(link ->
                        link.digest().equals(entry.digest()) && link.mediaType().equals(entry.mediaType()))
                .isPresent();
        if (!kept) {
            links.putTag(name, repository, tag, TagLink.of(entry));
        }
        index.putTag(upstream, repository, tag, entry);
    }

    @Override
    public void deleteTag(String upstream, RepositoryName repository, Tag tag) {
        links.deleteTag(UpstreamName.parse(upstream), repository, tag);
        index.deleteTag(upstream, repository, tag);
    }

    /** {@inheritDoc} Those the store links and those the index holds (entries from before the store kept links). */
    @Override
    public List<String> listTags(String upstream, RepositoryName repository) {
        TreeSet<String> tags = new TreeSet<>(links.listTags(UpstreamName.parse(upstream), repository));
        tags.addAll(index.listTags(upstream, repository));
        return List.copyOf(tags);
    }

    /** {@inheritDoc} On a miss, the store's size and recorded media type when it holds the bytes, then indexed. */
    @Override
    public Optional<DigestEntry> findDigest(Digest digest) {
        return index.findDigest(digest)
                .or(() -> blobs.stat(digest).map(info -> {
                    DigestEntry entry = new DigestEntry(
                            info.size(), links.findMediaType(digest).orElse(""), clock.instant());
                    index.putDigest(digest, entry);
                    return entry;
                }));
    }

    /** {@inheritDoc} The store keeps a non-empty media type; the bytes are the blob store's. */
    @Override
    public void putDigest(Digest digest, DigestEntry entry) {
        if (!entry.mediaType().isEmpty()) {
            links.putMediaType(digest, entry.mediaType());
        }
        index.putDigest(digest, entry);
    }

    /**
     * {@inheritDoc} Only the index entry goes: while the store still holds the bytes, a later find rebuilds it. Delete
     * the bytes through the blob store to make a digest absent.
     */
    @Override
    public void deleteDigest(Digest digest) {
        index.deleteDigest(digest);
    }

    /** {@inheritDoc} Only the entries in the index: the store is never walked. */
    @Override
    public void forEachDigest(BiConsumer<Digest, DigestEntry> action) {
        index.forEachDigest(action);
    }

    /** {@inheritDoc} Only the entries in the index: the store is never walked. */
    @Override
    public void forEachTag(TagVisitor visitor) {
        index.forEachTag(visitor);
    }

    @Override
    public void markSeen(String upstream, RepositoryName repository, Digest digest) {
        links.putLink(UpstreamName.parse(upstream), repository, digest);
        index.markSeen(upstream, repository, digest);
    }

    /** {@inheritDoc} On a miss, the store's link, which is then indexed. */
    @Override
    public boolean isSeen(String upstream, RepositoryName repository, Digest digest) {
        if (index.isSeen(upstream, repository, digest)) {
            return true;
        }
        if (!links.hasLink(UpstreamName.parse(upstream), repository, digest)) {
            return false;
        }
        index.markSeen(upstream, repository, digest);
        return true;
    }

    /** Closes the index; the stores are not this index's to close. */
    @Override
    public void close() {
        index.close();
    }
}
