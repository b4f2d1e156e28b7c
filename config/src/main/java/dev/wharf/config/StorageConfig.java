package dev.wharf.config;

import java.nio.file.Path;
import java.util.Objects;

/** Where the cache lives: an absolute directory for blobs and the index (created by storage, not here). */
public record StorageConfig(Path path) {
    public StorageConfig {
        Objects.requireNonNull(path, "path");
    }
}
