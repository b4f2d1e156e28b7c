package dev.wharf.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the cache lives: an absolute local directory (created by storage, not here) for blobs and the index, or, with
 * {@code s3}, for the index and the fill spool while blobs and links live in the bucket.
 */
public record StorageConfig(Path path, Optional<S3Config> s3) {
    public StorageConfig {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(s3, "s3");
    }

    /** Local disk only. */
    public StorageConfig(Path path) {
        this(path, Optional.empty());
    }
}
