package dev.wharf.proxy.eviction;

import dev.wharf.storage.BlobStore;
import dev.wharf.storage.s3.S3EvictionStore;
import java.time.Duration;
import java.util.Objects;

/**
 * What an {@link Evictor} of a bucket that replicas share works on besides its {@link EvictionSettings}: the bucket's
 * eviction objects, the bucket's blobs as they are (not hiding what is being evicted: manifests are read from them),
 * how long the bytes of an evicted image stay after its tags went ({@code grace}), the digests this replica must no
 * longer serve from the bucket, and this replica's own index.
 */
public record BucketEvictionSettings(
        S3EvictionStore bucket, BlobStore blobs, Duration grace, PendingEvictions pending, ReplicaIndex local) {
    public BucketEvictionSettings {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(blobs, "blobs");
        Objects.requireNonNull(grace, "grace");
        Objects.requireNonNull(pending, "pending");
        Objects.requireNonNull(local, "local");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative");
        }
    }
}
