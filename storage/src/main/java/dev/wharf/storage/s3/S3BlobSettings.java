package dev.wharf.storage.s3;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * What an {@link S3BlobStore} needs besides its clients: where its objects go, a local directory for spools, the part
 * size of multipart uploads (blobs up to it go up in one PutObject) and, when not zero, how long a presigned redirect
 * stays valid: zero means the store serves bytes and never redirects.
 */
public record S3BlobSettings(S3Bucket bucket, Path spoolDirectory, long partSize, Duration redirectLifetime) {
    /** S3's smallest part (but the last). */
    public static final long MIN_PART_SIZE = 5L << 20;
    /** The largest part we hold the upload of one blob to; parts are read from the spool one at a time. */
    public static final long MAX_PART_SIZE = 512L << 20;
    /** The default part size: 16 MiB. */
    public static final long DEFAULT_PART_SIZE = 16L << 20;

    public S3BlobSettings {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(spoolDirectory, "spoolDirectory");
        Objects.requireNonNull(redirectLifetime, "redirectLifetime");
        if (partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
            throw new IllegalArgumentException("part size must be 5 MiB to 512 MiB");
        }
        if (redirectLifetime.isNegative() || redirectLifetime.compareTo(Duration.ofDays(7)) > 0) {
            throw new IllegalArgumentException("redirect lifetime must be 0 (no redirects) to 7 days");
        }
    }

    /** Blobs in {@code bucket}, spools in {@code spoolDirectory}, 16 MiB parts, no redirects. */
    public static S3BlobSettings of(S3Bucket bucket, Path spoolDirectory) {
        return new S3BlobSettings(bucket, spoolDirectory, DEFAULT_PART_SIZE, Duration.ZERO);
    }

    /** The same with parts of {@code size} bytes. */
    public S3BlobSettings withPartSize(long size) {
        return new S3BlobSettings(bucket, spoolDirectory, size, redirectLifetime);
    }

    /** The same, redirecting clients to presigned URLs valid for {@code lifetime}. */
    public S3BlobSettings withRedirects(Duration lifetime) {
        return new S3BlobSettings(bucket, spoolDirectory, partSize, lifetime);
    }

    /** True when the store hands out presigned redirects. */
    public boolean redirects() {
        return !redirectLifetime.isZero();
    }
}
