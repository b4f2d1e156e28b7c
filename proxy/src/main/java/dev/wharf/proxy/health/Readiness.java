package dev.wharf.proxy.health;

import dev.wharf.storage.BlobStatter;
import dev.wharf.storage.CacheIndex;
import dev.wharf.storage.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Whether this Wharf can serve: its store and index answer, the directory fills write to takes a new file, and the
 * cache's filesystem has at least {@code minFree} bytes free. Never asks an upstream: an upstream that is down makes
 * misses fail, not the cache unready. Each check blocks (disk, index): run it on a storage thread.
 */
public final class Readiness {
    /** A digest nothing stores: looking it up exercises the store and the index without finding anything. */
    private static final Digest PROBE = Digest.sha256(new byte[] {'r', 'e', 'a', 'd', 'y'});

    private final BlobStatter store;
    private final CacheIndex index;
    private final Path writable;
    private final long minFree;
    private final LongSupplier freeBytes;

    /**
     * Checks {@code store}, {@code index}, that files can be created in {@code writable}, and that {@code freeBytes}
     * (negative when unknown) is at least {@code minFree} (0: no floor).
     */
    public Readiness(BlobStatter store, CacheIndex index, Path writable, long minFree, LongSupplier freeBytes) {
        this.store = store;
        this.index = index;
        this.writable = writable;
        this.minFree = minFree;
        this.freeBytes = freeBytes;
    }

    /** What keeps Wharf from serving, one line each; empty when it is ready. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        try {
            store.stat(PROBE);
        } catch (RuntimeException e) {
            problems.add("storage: the blob store does not answer (" + e.getMessage() + ")");
        }
        try {
            index.findDigest(PROBE);
        } catch (RuntimeException e) {
            problems.add("storage: the index does not answer (" + e.getMessage() + ")");
        }
        try {
            Path probe = Files.createTempFile(writable, "ready-", ".probe");
            Files.delete(probe);
        } catch (IOException | RuntimeException e) {
            problems.add("storage: the cache directory " + writable + " is not writable (" + e + ")");
        }
        long free = freeBytes.getAsLong();
        if (minFree > 0 && free >= 0 && free < minFree) {
            problems.add("storage: " + free + " bytes free on the cache's filesystem, below storage.minFree (" + minFree
                    + " bytes), and eviction cannot free more");
        }
        return problems;
    }
}
