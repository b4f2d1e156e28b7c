package dev.wharf.proxy.upstream;

import dev.wharf.storage.Digest;
import dev.wharf.storage.RepositoryName;
import java.util.List;

/**
 * The read side of one upstream registry. Calls block; run them on worker threads, never on an event loop. Every
 * failure is an {@link UpstreamException} whose kind says what happened.
 */
public interface UpstreamClient {
    /** The largest manifest accepted, from upstreams and in the cache alike: 4 MiB. */
    int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

    /** The configured upstream name, used in messages and metrics. */
    String name();

    /** HEAD a manifest by tag or digest: digest (from {@code Docker-Content-Digest}), media type, size. */
    ManifestHead headManifest(RepositoryName repo, String reference);

    /** GET a manifest: exact bytes (at most 4 MiB, larger is {@code TOO_LARGE}), media type, digest header if any. */
    ManifestResponse fetchManifest(RepositoryName repo, String reference);

    /**
     * GET the referrers of {@code subject} with the OCI referrers API: the index as the upstream sent it (at most 4
     * MiB). {@code NOT_FOUND} when the upstream has no referrers API, which is all that a client without one offers.
     */
    default ManifestResponse fetchReferrers(RepositoryName repo, Digest subject) {
        throw new UpstreamException(UpstreamException.Kind.NOT_FOUND, "upstream " + name() + ": no referrers API");
    }

    /**
     * Every repository name of the upstream's catalog ({@code GET /v2/_catalog}), following {@code Link rel="next"}
     * pages; {@code NOT_FOUND}, {@code UNAUTHORIZED} or {@code DENIED} when the upstream does not offer it, which is all
     * that a client without one offers.
     */
    default List<String> fetchCatalog() {
        throw new UpstreamException(UpstreamException.Kind.NOT_FOUND, "upstream " + name() + ": no catalog API");
    }

    /** GET a blob: a streaming body the caller must close. */
    BlobResponse fetchBlob(RepositoryName repo, Digest digest);

    /** All tags, following {@code Link rel="next"} pages; a list longer than the client takes is {@code TOO_LARGE}. */
    List<String> fetchTags(RepositoryName repo);
}
