package dev.wharf.storage.index;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.wharf.storage.CacheIndex;
import dev.wharf.storage.Digest;
import dev.wharf.storage.DigestEntry;
import dev.wharf.storage.RepositoryName;
import dev.wharf.storage.Tag;
import dev.wharf.storage.TagEntry;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * Keeps hot tag and digest entries in memory in front of another index. Lookups of {@link #findTag} and {@link
 * #findDigest} that hit are answered without the delegate; absence is not cached. Writes go to the delegate first,
 * then update or invalidate the cached entry, so a later find never sees an older value than the last write. A
 * {@link #isSeen} that was once true is remembered (nothing unmarks a repository), so the read rule checked on every
 * cached pull costs no delegate lookup. Everything else passes straight through. Thread-safe when the delegate is.
 */
public final class CachingIndex implements CacheIndex {
    private record TagKey(String upstream, RepositoryName repository, Tag tag) {}

    private record SeenKey(String upstream, RepositoryName repository, Digest digest) {}

    private final CacheIndex delegate;
    private final Cache<TagKey, TagEntry> tags;
    private final Cache<Digest, DigestEntry> digests;
    private final Cache<SeenKey, Boolean> seen;

    /**
     * Caches at most {@code maximumEntries} tag entries, as many digest entries and as many seen marks in front of
     * {@code delegate}.
     */
    public CachingIndex(CacheIndex delegate, long maximumEntries) {
        if (maximumEntries < 0) {
            throw new IllegalArgumentException("maximumEntries must not be negative");
        }
        this.delegate = delegate;
        // Eviction runs on the calling thread: it is cheap, and keeps the bound exact without a background pool.
        this.tags = Caffeine.newBuilder()
                .maximumSize(maximumEntries)
                .executor(Runnable::run)
                .build();
        this.digests = Caffeine.newBuilder()
                .maximumSize(maximumEntries)
                .executor(Runnable::run)
                .build();
        this.seen = Caffeine.newBuilder()
                .maximumSize(maximumEntries)
                .executor(Runnable::run)
                .build();
    }

    @Override
    public Optional<TagEntry> findTag(String upstream, RepositoryName repository, Tag tag) {
        // Concurrent misses for one key share one delegate lookup; a null result is not cached.
        return Optional.ofNullable(tags.get(
                new TagKey(upstream, repository, tag),
                key -> delegate.findTag(upstream, repository, tag).orElse(null)));
    }

    @Override
    public void putTag(String upstream, RepositoryName repository, Tag tag, TagEntry entry) {
        delegate.putTag(upstream, repository, tag, entry);
        tags.put(new TagKey(upstream, repository, tag), entry);
    }

    @Override
    public void deleteTag(String upstream, RepositoryName repository, Tag tag) {
        delegate.deleteTag(upstream, repository, tag);
        tags.invalidate(new TagKey(upstream, repository, tag));
    }

    /** Drops the cached entry of a tag, writing nothing: for a tag deleted beneath this cache. */
    public void invalidateTag(String upstream, RepositoryName repository, Tag tag) {
        tags.invalidate(new TagKey(upstream, repository, tag));
    }

    @Override
    public List<String> listTags(String upstream, RepositoryName repository) {
        return delegate.listTags(upstream, repository);
    }

    @Override
    public Optional<DigestEntry> findDigest(Digest digest) {
        return Optional.ofNullable(
                digests.get(digest, key -> delegate.findDigest(digest).orElse(null)));
    }

    @Override
    public void putDigest(Digest digest, DigestEntry entry) {
        delegate.putDigest(digest, entry);
        digests.put(digest, entry);
    }

    @Override
    public void deleteDigest(Digest digest) {
        delegate.deleteDigest(digest);
        digests.invalidate(digest);
    }

    @Override
    public void forEachDigest(BiConsumer<Digest, DigestEntry> action) {
        delegate.forEachDigest(action);
    }

    @Override
    public void forEachTag(TagVisitor visitor) {
        delegate.forEachTag(visitor);
    }

    @Override
    public void markSeen(String upstream, RepositoryName repository, Digest digest) {
        delegate.markSeen(upstream, repository, digest);
        seen.put(new SeenKey(upstream, repository, digest), Boolean.TRUE);
    }

    @Override
    public boolean isSeen(String upstream, RepositoryName repository, Digest digest) {
        // A null from the loader caches nothing, so a repository not seen yet is asked again next time.
        return seen.get(
                        new SeenKey(upstream, repository, digest),
                        key -> delegate.isSeen(upstream, repository, digest) ? Boolean.TRUE : null)
                != null;
    }

    /** Drops the cached entries and closes the delegate. */
    @Override
    public void close() {
        tags.invalidateAll();
        digests.invalidateAll();
        seen.invalidateAll();
        delegate.close();
    }
}
