package dev.wharf.proxy.eviction;

import dev.wharf.storage.Digest;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The digests an eviction of a shared bucket is deleting: their tags are gone and their bytes go once the grace has
 * passed (see {@link BucketTarget}). This replica stops serving them from the bucket as soon as it learns of them
 * ({@link PendingEvictionStore}), so no response that starts afterwards can be cut short by the delete. A digest this
 * replica stores again meanwhile (a client pulled the image anew) is reclaimed: served again, and reported to {@code
 * reclaimed} so that the eviction learns it is in use and keeps it. Thread-safe.
 */
public final class PendingEvictions {
    private final Set<Digest> going = new HashSet<>();
    private final Set<Digest> reclaimed = new HashSet<>();
    private volatile Consumer<Digest> onReclaim = digest -> {};

    /** Whether {@code digest} is being evicted and was not stored again here since. */
    public synchronized boolean isGoing(Digest digest) {
        return going.contains(digest);
    }

    /** Adds the digests of an eviction this replica just journaled. */
    synchronized void add(Collection<Digest> digests) {
        for (Digest digest : digests) {
            if (!reclaimed.contains(digest)) {
                going.add(digest);
            }
        }
    }

    /** Replaces the set with the digests of the journals the bucket holds now; reclaims of finished ones are dropped. */
    synchronized void replace(Set<Digest> journaled) {
        reclaimed.retainAll(journaled);
        going.clear();
        for (Digest digest : journaled) {
            if (!reclaimed.contains(digest)) {
                going.add(digest);
            }
        }
    }

    /** Called once this replica stored {@code digest} again: it is served from now on. */
    void reclaim(Digest digest) {
        boolean was;
        synchronized (this) {
            was = going.remove(digest);
            if (was) {
                reclaimed.add(digest);
            }
        }
        if (was) {
            onReclaim.accept(digest);
        }
    }

    /** Who learns of reclaims (the eviction, which then publishes the use at once). */
    void onReclaim(Consumer<Digest> listener) {
        this.onReclaim = listener;
    }
}
