package dev.wharf.storage.memory;

import dev.wharf.storage.CacheIndex;
import dev.wharf.storage.Digest;
import dev.wharf.storage.DigestEntry;
import dev.wharf.storage.RepositoryName;
import dev.wharf.storage.StorageException;
import dev.wharf.storage.Tag;
import dev.wharf.storage.TagEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.BiConsumer;

/** The cache index in heap memory, for tests of code built on {@link CacheIndex}. Thread-safe. */
public final class MemoryIndex implements CacheIndex {
    private record Repository(String upstream, RepositoryName name) {}

    private record Seen(Repository repository, Digest digest) {}

    private final ConcurrentMap<Repository, ConcurrentSkipListMap<String, TagEntry>> tags = new ConcurrentHashMap<>();
    private final ConcurrentMap<Digest, DigestEntry> digests = new ConcurrentHashMap<>();
    private final Set<Seen> seen = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** Creates an empty index. */
    public MemoryIndex() {}

    @Override
    public Optional<TagEntry> findTag(String upstream, RepositoryName repository, Tag tag) {
        ensureOpen();
        Map<String, TagEntry> entries = tags.get(new Repository(upstream, repository));
        return entries == null ? Optional.empty() : Optional.ofNullable(entries.get(tag.value()));
    }

    @Override
    public void putTag(String upstream, RepositoryName repository, Tag tag, TagEntry entry) {
        ensureOpen();
        tags.computeIfAbsent(new Repository(upstream, repository), key -> new ConcurrentSkipListMap<>())
                .put(tag.value(), entry);
    }

    @Override
    public void deleteTag(String upstream, RepositoryName repository, Tag tag) {
        ensureOpen();
        Map<String, TagEntry> entries = tags.get(new Repository(upstream, repository));
        if (entries != null) {
            entries.remove(tag.value());
        }
    }

    @Override
    public List<String> listTags(String upstream, RepositoryName repository) {
        ensureOpen();
        Map<String, TagEntry> entries = tags.get(new Repository(upstream, repository));
        return entries == null ? List.of() : new ArrayList<>(entries.keySet());
    }

    @Override
    public Optional<DigestEntry> findDigest(Digest digest) {
        ensureOpen();
        return Optional.ofNullable(digests.get(digest));
    }

    @Override
    public void putDigest(Digest digest, DigestEntry entry) {
        ensureOpen();
        digests.put(digest, entry);
    }

    @Override
    public void deleteDigest(Digest digest) {
        ensureOpen();
        digests.remove(digest);
    }

    @Override
    public void forEachDigest(BiConsumer<Digest, DigestEntry> action) {
        ensureOpen();
        digests.forEach(action);
    }

    @Override
    public void forEachTag(TagVisitor visitor) {
        ensureOpen();
        tags.forEach((repository, entries) -> entries.forEach(
                (tag, entry) -> visitor.visit(repository.upstream(), repository.name(), Tag.parse(tag), entry)));
    }

    @Override
    public void markSeen(String upstream, RepositoryName repository, Digest digest) {
        ensureOpen();
        seen.add(new Seen(new Repository(upstream, repository), digest));
    }

    @Override
    public boolean isSeen(String upstream, RepositoryName repository, Digest digest) {
        ensureOpen();
        return seen.contains(new Seen(new Repository(upstream, repository), digest));
    }

    /** Marks the index closed; later calls throw {@link StorageException} of kind IO. */
    @Override
    public void close() {
        closed = true;
    }

    private void ensureOpen() {
        if (closed) {
            throw new StorageException(StorageException.Kind.IO, "index is closed");
        }
    }
}
