package dev.wharf.storage;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.Optional;

/**
 * Hot manifest bytes in memory, keyed by digest and bounded by their total size. The bytes are the upstream's exact
 * bytes: {@link #put} refuses bytes that do not hash to their digest, and callers get copies, so nothing can alter
 * what is cached. The durable copy lives in the {@link BlobStore}; this is only a shortcut. Thread-safe.
 */
public final class ManifestCache {
    private final Cache<Digest, byte[]> cache;

    /** A cache holding at most {@code maximumBytes} bytes of manifests in total. */
    public ManifestCache(long maximumBytes) {
        if (maximumBytes < 0) {
            throw new IllegalArgumentException("maximumBytes must not be negative");
        }
        // Eviction runs on the calling thread so the byte bound holds when put returns.
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maximumBytes)
                .weigher((Digest digest, byte[] bytes) -> bytes.length)
                .executor(Runnable::run)
                .build();
    }

    /** A copy of the cached bytes of {@code digest}; empty when not cached. */
    public Optional<byte[]> find(Digest digest) {
        return Optional.ofNullable(cache.getIfPresent(digest)).map(byte[]::clone);
    }

    /**
     * Caches a copy of {@code bytes} under {@code digest}, possibly evicting others; throws {@link StorageException}
     * of kind CORRUPT, caching nothing, when the bytes do not hash to the digest.
     */
    public void put(Digest digest, byte[] bytes) {
        var hasher = digest.newHasher();
        if (!digest.matches(hasher.digest(bytes))) {
            throw new StorageException(StorageException.Kind.CORRUPT, "manifest bytes do not hash to " + digest);
        }
        cache.put(digest, bytes.clone());
    }

    /** Forgets the bytes of {@code digest}; does nothing when not cached. */
    public void invalidate(Digest digest) {
        cache.invalidate(digest);
    }
}
