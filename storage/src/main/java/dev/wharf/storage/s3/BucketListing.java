package dev.wharf.storage.s3;

import dev.wharf.storage.Digest;
import dev.wharf.storage.RepositoryName;
import dev.wharf.storage.Tag;
import dev.wharf.storage.UpstreamName;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one listing of a bucket's prefix found (see {@link S3Keys} for the layout): every blob object with its size and
 * when it was written, the digests with a recorded media type (manifests), the tag and repository-link objects, and
 * the eviction's own objects. Keys that are none of these are left out.
 */
public record BucketListing(
        Map<Digest, Blob> blobs,
        Set<Digest> mediaTypes,
        List<TagObject> tags,
        List<LinkObject> links,
        List<Named> uses,
        List<Named> journals) {
    public BucketListing {
        blobs = Map.copyOf(blobs);
        mediaTypes = Set.copyOf(mediaTypes);
        tags = List.copyOf(tags);
        links = List.copyOf(links);
        uses = List.copyOf(uses);
        journals = List.copyOf(journals);
    }

    /** A blob object: its size and when it was last written. */
    public record Blob(long size, Instant lastModified) {}

    /** A tag object; {@code eTag} changes whenever the tag is written. */
    public record TagObject(UpstreamName upstream, RepositoryName repository, Tag tag, String eTag) {}

    /** A repository link: {@code repository} of {@code upstream} references {@code digest}. */
    public record LinkObject(UpstreamName upstream, RepositoryName repository, Digest digest) {}

    /** An object of the eviction's own (a replica's uses, a journal), by its name under its folder. */
    public record Named(String name, Instant lastModified) {}

    /** The bytes of every blob object, each digest once. */
    public long blobBytes() {
        return blobs.values().stream().mapToLong(Blob::size).sum();
    }
}
