package dev.wharf.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the cache lives: an absolute local directory (created by storage, not here) for blobs and the index, or, with
 * {@code s3}, for the index and the fill spool while blobs and links live in the bucket; and how big it may grow
 * ({@code eviction}).
 */
public record StorageConfig(Path path, Optional<S3Config> s3, EvictionConfig eviction) {
    public StorageConfig {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(s3, "s3");
        Objects.requireNonNull(eviction, "eviction");
    }

    /** Local disk only, unbounded. */
    public StorageConfig(Path path) {
        this(path, Optional.empty(), EvictionConfig.NONE);
    }

    /** Unbounded. */
    public StorageConfig(Path path, Optional<S3Config> s3) {
        this(path, s3, EvictionConfig.NONE);
    }
}
