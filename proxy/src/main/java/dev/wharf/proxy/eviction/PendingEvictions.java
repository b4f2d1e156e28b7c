package dev.wharf.proxy.eviction;

import dev.wharf.storage.Digest;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The digests an eviction of a shared bucket is deleting: their tags are gone and their bytes go once the grace has
 * passed (see {@link BucketTarget}). This replica stops serving them from the bucket as soon as it learns of them
 * ({@link PendingEvictionStore}), so no response that starts afterwards can be cut short by the delete, and it serves
 * them again only once the bucket no longer holds a journal naming them: until then the evictor may still delete them
 * whatever it learns. A digest this replica stores again meanwhile (a client pulled the image anew) stays hidden (the
 * next request for it is filled from the upstream again) and is reported to {@code reclaimed}, once per eviction, so
 * that the eviction learns it is in use and, when it learns in time, keeps it. Thread-safe.
 */
public final class PendingEvictions {
    private final Set<Digest> going = new HashSet<>();
    private final Set<Digest> reclaimed = new HashSet<>();
    private volatile Consumer<Digest> onReclaim = digest -> {};
    private volatile Consumer<Digest> onRelease = digest -> {};

    /** Whether a journal in the bucket, as this replica last read them, names {@code digest}. */
    public synchronized boolean isGoing(Digest digest) {
        return going.contains(digest);
    }

    /** Adds the digests of an eviction this replica just journaled. */
    synchronized void add(Collection<Digest> digests) {
        going.addAll(digests);
    }

    /** Replaces the set with the digests of the journals the bucket holds now; reclaims of finished ones are dropped. */
    void replace(Set<Digest> journaled) {
        Set<Digest> released;
        synchronized (this) {
            reclaimed.retainAll(journaled);
            released = new HashSet<>(going);
            released.removeAll(journaled);
            going.clear();
            going.addAll(journaled);
        }
        released.forEach(onRelease);
    }

    /** Called once this replica stored {@code digest} again: the eviction learns that it is in use. */
    void reclaim(Digest digest) {
        boolean first;
        synchronized (this) {
            first = going.contains(digest) && reclaimed.add(digest);
        }
        if (first) {
            onReclaim.accept(digest);
        }
    }

    /** Who learns that no journal names a digest any more (the store, which drops its held copy). */
    void onRelease(Consumer<Digest> listener) {
        this.onRelease = listener;
    }

    /** Who learns of reclaims (the eviction, which then publishes the use at once). */
    void onReclaim(Consumer<Digest> listener) {
        this.onReclaim = listener;
    }
}
