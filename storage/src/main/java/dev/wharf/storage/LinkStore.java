package dev.wharf.storage;

import java.util.List;
import java.util.Optional;

/**
 * What the index knows, kept in the store itself so that the index can be rebuilt from it and replicas sharing one
 * store see each other's work: tag links per upstream repository, the media type of stored manifests, and which
 * digests each upstream repository references. Each write is whole once it returns: a reader sees the old value or
 * the new, never a mix. Every method blocks: call from a worker thread. Failures throw {@link StorageException} of
 * kind IO; what was read but cannot be understood too.
 */
public interface LinkStore {
    /** Records (or replaces) what {@code tag} of {@code repository} of {@code upstream} points at. */
    void putTag(UpstreamName upstream, RepositoryName repository, Tag tag, TagLink link);

    /** What {@code tag} points at; empty when no link is kept. */
    Optional<TagLink> findTag(UpstreamName upstream, RepositoryName repository, Tag tag);

    /** The tags linked in a repository, sorted lexically; empty when none. */
    List<String> listTags(UpstreamName upstream, RepositoryName repository);

    /** Removes the link of a tag; does nothing when absent. */
    void deleteTag(UpstreamName upstream, RepositoryName repository, Tag tag);

    /** Records (or replaces) the media type the bytes of {@code digest} are served with; see {@link TagLink#checkMediaType}. */
    void putMediaType(Digest digest, String mediaType);

    /** The media type recorded for {@code digest}; empty when none (plain blobs have none). */
    Optional<String> findMediaType(Digest digest);

    /** Forgets the media type of {@code digest}; does nothing when absent. */
    void deleteMediaType(Digest digest);

    /** Records that {@code repository} of {@code upstream} references {@code digest}; does nothing when it was. */
    void putLink(UpstreamName upstream, RepositoryName repository, Digest digest);

    /** True when {@link #putLink} recorded that {@code repository} of {@code upstream} references {@code digest}. */
    boolean hasLink(UpstreamName upstream, RepositoryName repository, Digest digest);
}
