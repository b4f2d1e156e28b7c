package dev.wharf.storage;

import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The index of what the cache holds: tags per upstream repository, metadata per digest, and which digests each
 * upstream repository has been seen to reference. Every method blocks: call from a worker thread, never from an
 * event loop. Failures throw {@link StorageException} of kind IO.
 */
public interface CacheIndex extends AutoCloseable {
    /** The entry of {@code tag} in {@code repository} of {@code upstream}; empty when unknown. */
    Optional<TagEntry> findTag(String upstream, RepositoryName repository, Tag tag);

    /** Records (or replaces) the entry of a tag. */
    void putTag(String upstream, RepositoryName repository, Tag tag, TagEntry entry);

    /** Removes the entry of a tag; does nothing when absent. */
    void deleteTag(String upstream, RepositoryName repository, Tag tag);

    /** The tags known for a repository, sorted lexically; empty when none. */
    List<String> listTags(String upstream, RepositoryName repository);

    /** Metadata of stored bytes; empty when unknown. */
    Optional<DigestEntry> findDigest(Digest digest);

    /** Records (or replaces) the metadata of stored bytes. Call only once the bytes are durable. */
    void putDigest(Digest digest, DigestEntry entry);

    /** Removes the metadata of a digest; does nothing when absent. */
    void deleteDigest(Digest digest);

    /**
     * Calls {@code action} for every digest entry, one at a time, without loading them all at once. The action may
     * delete entries; entries added meanwhile may or may not be visited.
     */
    void forEachDigest(BiConsumer<Digest, DigestEntry> action);

    /** What {@link #forEachTag} hands over: one tag of one upstream repository and its entry. */
    @FunctionalInterface
    interface TagVisitor {
        void visit(String upstream, RepositoryName repository, Tag tag, TagEntry entry);
    }

    /**
     * Calls {@code visitor} for every tag entry, one at a time, without loading them all at once. The visitor may
     * delete entries; entries added meanwhile may or may not be visited. By default throws {@link
     * UnsupportedOperationException}: an index that cannot list its tags cannot be bounded in size.
     */
    default void forEachTag(TagVisitor visitor) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot list its tags");
    }

    /** Records that {@code repository} of {@code upstream} references {@code digest}. */
    void markSeen(String upstream, RepositoryName repository, Digest digest);

    /** True when {@code repository} of {@code upstream} has been seen to reference {@code digest}. */
    boolean isSeen(String upstream, RepositoryName repository, Digest digest);

    /** Releases resources; the index is unusable afterwards. */
    @Override
    void close();
}
