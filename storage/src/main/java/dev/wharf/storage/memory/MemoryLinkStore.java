package dev.wharf.storage.memory;

import dev.wharf.storage.Digest;
import dev.wharf.storage.LinkStore;
import dev.wharf.storage.RepositoryName;
import dev.wharf.storage.Tag;
import dev.wharf.storage.TagLink;
import dev.wharf.storage.UpstreamName;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ConcurrentSkipListMap;

/** Links in heap memory, for tests of code built on {@link LinkStore}. Thread-safe. */
public final class MemoryLinkStore implements LinkStore {
    private record Repository(UpstreamName upstream, RepositoryName name) {}

    private record Link(Repository repository, Digest digest) {}

    private final ConcurrentMap<Repository, ConcurrentSkipListMap<String, TagLink>> tags = new ConcurrentHashMap<>();
    private final ConcurrentMap<Digest, String> mediaTypes = new ConcurrentHashMap<>();
    private final Set<Link> links = ConcurrentHashMap.newKeySet();

    /** Creates an empty store. */
    public MemoryLinkStore() {}

    @Override
    public void putTag(UpstreamName upstream, RepositoryName repository, Tag tag, TagLink link) {
        tags.computeIfAbsent(new Repository(upstream, repository), key -> new ConcurrentSkipListMap<>())
                .put(tag.value(), link);
    }

    @Override
    public Optional<TagLink> findTag(UpstreamName upstream, RepositoryName repository, Tag tag) {
        Map<String, TagLink> links = tags.get(new Repository(upstream, repository));
        return links == null ? Optional.empty() : Optional.ofNullable(links.get(tag.value()));
    }

    @Override
    public List<String> listTags(UpstreamName upstream, RepositoryName repository) {
        Map<String, TagLink> links = tags.get(new Repository(upstream, repository));
        return links == null ? List.of() : new ArrayList<>(links.keySet());
    }

    @Override
    public void deleteTag(UpstreamName upstream, RepositoryName repository, Tag tag) {
        Map<String, TagLink> links = tags.get(new Repository(upstream, repository));
        if (links != null) {
            links.remove(tag.value());
        }
    }

    @Override
    public void putMediaType(Digest digest, String mediaType) {
        mediaTypes.put(digest, TagLink.checkMediaType(mediaType));
    }

    @Override
    public Optional<String> findMediaType(Digest digest) {
        return Optional.ofNullable(mediaTypes.get(digest));
    }

    @Override
    public void deleteMediaType(Digest digest) {
        mediaTypes.remove(digest);
    }

    @Override
    public void putLink(UpstreamName upstream, RepositoryName repository, Digest digest) {
        links.add(new Link(new Repository(upstream, repository), digest));
    }

    @Override
    public boolean hasLink(UpstreamName upstream, RepositoryName repository, Digest digest) {
        return links.contains(new Link(new Repository(upstream, repository), digest));
    }
}
