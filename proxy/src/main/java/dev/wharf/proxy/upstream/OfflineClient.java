package dev.wharf.proxy.upstream;

import dev.wharf.storage.Digest;
import dev.wharf.storage.RepositoryName;
import java.util.List;
import java.util.Objects;

/** An upstream Wharf must never dial: every call fails at once with {@code UNAVAILABLE}. */
public final class OfflineClient implements UpstreamClient {
    private final String name;

    public OfflineClient(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public ManifestHead headManifest(RepositoryName repo, String reference) {
        throw offline();
    }

    @Override
    public ManifestResponse fetchManifest(RepositoryName repo, String reference) {
        throw offline();
    }

    @Override
    public ManifestResponse fetchReferrers(RepositoryName repo, Digest subject) {
        throw offline();
    }

    @Override
    public BlobResponse fetchBlob(RepositoryName repo, Digest digest) {
        throw offline();
    }

    @Override
    public List<String> fetchTags(RepositoryName repo) {
        throw offline();
    }

    @Override
    public List<String> fetchCatalog() {
        throw offline();
    }

    private UpstreamException offline() {
        return new UpstreamException(UpstreamException.Kind.UNAVAILABLE, "upstream " + name + " is offline");
    }
}
