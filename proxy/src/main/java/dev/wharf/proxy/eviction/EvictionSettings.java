package dev.wharf.proxy.eviction;

import dev.wharf.config.EvictionConfig;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.CacheIndex;
import dev.wharf.storage.ManifestCache;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;

/**
 * What an {@link Evictor} works on: the store and the index the cache serves from ({@code index}, whose deletes
 * reach the store's links too), the bare index that last uses are written to ({@code usesIndex}, beneath any store
 * backing), the hot manifests to forget, the cache directory (journal, free space), the bounds, the pins, and whether
 * it checks by itself every {@code checkEvery} ({@code automatic}; on a shared bucket, when {@code maxSize} bounds
 * it; otherwise a bucket's evictor only publishes this replica's uses and learns of other replicas' evictions).
 */
public record EvictionSettings(
        BlobStore store,
        CacheIndex index,
        CacheIndex usesIndex,
        ManifestCache hot,
        Path directory,
        EvictionConfig bounds,
        PinnedImages pins,
        UseLog uses,
        Clock clock,
        boolean automatic) {
    public EvictionSettings {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(index, "index");
        Objects.requireNonNull(usesIndex, "usesIndex");
        Objects.requireNonNull(hot, "hot");
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(bounds, "bounds");
        Objects.requireNonNull(pins, "pins");
        Objects.requireNonNull(uses, "uses");
        Objects.requireNonNull(clock, "clock");
    }
}
