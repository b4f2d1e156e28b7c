package dev.wharf.storage.s3;

import dev.wharf.storage.Digest;
import dev.wharf.storage.RepositoryName;
import dev.wharf.storage.Tag;
import dev.wharf.storage.UpstreamName;

/**
 * The object keys of every S3 store under one {@link S3Bucket}'s prefix. Keys are built only from validated names, as
 * the disk stores' paths are, and mirror their layout (no repository component starts with {@code _}, so {@code
 * _tags} and {@code _links} never clash with one):
 *
 * <pre>
 * prefix/
 * ├── blobs/sha256/ab/abcdef0123…                        the bytes of sha256:abcdef0123… ({@link S3BlobStore})
 * ├── repositories/docker.io/library/nginx/             ({@link S3LinkStore})
 * │   ├── _tags/latest                                  v1, digest, media type, confirmed-at: one line each
 * │   └── _links/sha256/abcdef0123…                     empty: the repository references sha256:abcdef0123…
 * ├── media-types/sha256/ab/abcdef0123…                 the media type of sha256:abcdef0123…, one line
 * ├── leases/sha256/abcdef0123…                         who fills sha256:abcdef0123… until when ({@link S3FillLeases})
 * └── eviction/                                         ({@link S3EvictionStore})
 *     ├── lease                                         which replica evicts until when
 *     ├── uses/REPLICA-ID                               the last serves one replica recorded: digest, epoch ms
 *     └── journals/1764160000000-RANDOM                 an eviction under way: tags gone, digests going after a grace
 * </pre>
 */
final class S3Keys {
    private final String prefix;

    S3Keys(S3Bucket bucket) {
        this.prefix = bucket.prefix();
    }

    /** The key prefix, for listings that must stay under it. */
    String prefix() {
        return prefix;
    }

    String blob(Digest digest) {
        return prefix + "blobs/" + fanOut(digest);
    }

    String tags(UpstreamName upstream, RepositoryName repository) {
        return repository(upstream, repository) + "_tags/";
    }

    String tag(UpstreamName upstream, RepositoryName repository, Tag tag) {
        return tags(upstream, repository) + tag.value();
    }

    String link(UpstreamName upstream, RepositoryName repository, Digest digest) {
        return repository(upstream, repository) + "_links/" + digest.algorithm() + "/" + digest.encoded();
    }

    String mediaType(Digest digest) {
        return prefix + "media-types/" + fanOut(digest);
    }

    String lease(Digest digest) {
        return prefix + "leases/" + digest.algorithm() + "/" + digest.encoded();
    }

    String blobs() {
        return prefix + "blobs/";
    }

    String mediaTypes() {
        return prefix + "media-types/";
    }

    String repositories() {
        return prefix + "repositories/";
    }

    String evictionLease() {
        return prefix + "eviction/lease";
    }

    String uses() {
        return prefix + "eviction/uses/";
    }

    String journals() {
        return prefix + "eviction/journals/";
    }

    private String repository(UpstreamName upstream, RepositoryName repository) {
        return prefix + "repositories/" + upstream.value() + "/" + repository.value() + "/";
    }

    private static String fanOut(Digest digest) {
        String hex = digest.encoded();
        return digest.algorithm() + "/" + hex.substring(0, 2) + "/" + hex;
    }
}
