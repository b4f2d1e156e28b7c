package dev.wharf.proxy.pull;

import dev.wharf.storage.BlobReader;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.CacheIndex;
import dev.wharf.storage.Digest;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Blobs by digest: served from the store when present (digests are immutable, so no upstream request), otherwise
 * from the one {@link Fill} of that digest, which every concurrent miss joins and which callers read while it grows.
 */
final class BlobPull {
    /**
     * Blobs up to this size are answered once verified rather than streamed: they arrive in a moment anyway, and a
     * client then gets a proper error status for bad bytes instead of a connection closed short.
     */
    static final long STREAM_ABOVE = 256 * 1024;

    private final BlobStore blobs;
    private final CacheIndex index;
    private final Upstreams upstreams;
    private final Clock clock;
    private final Executor fillThreads;
    private final ConcurrentHashMap<Digest, Fill> fills = new ConcurrentHashMap<>();

    BlobPull(BlobStore blobs, CacheIndex index, Upstreams upstreams, Clock clock, Executor fillThreads) {
        this.blobs = blobs;
        this.index = index;
        this.upstreams = upstreams;
        this.clock = clock;
        this.fillThreads = fillThreads;
    }

    /**
     * The stored blob, or the fill of a miss once the upstream's response headers arrived (when the upstream did not
     * announce a size, or announced at most {@link #STREAM_ABOVE} bytes, the stored blob once the fill is done).
     * Blocks; throws the fill's failure; the caller closes the result.
     */
    BlobSource open(Target target, Digest digest) {
        Optional<BlobReader> cached = blobs.open(digest);
        if (cached.isPresent()) {
            markSeen(target, digest);
            return new BlobSource.Stored(cached.get());
        }
        Fill fill = join(target, digest);
        long size = fill.awaitHeaders();
        if (size <= STREAM_ABOVE) {
            return stored(target, fill);
        }
        Optional<BlobReader> partial = fill.openPartial();
        if (partial.isEmpty()) {
            return stored(target, fill);
        }
        // The fill marks its own repository; a joiner from another repository is recorded once the blob is kept.
        fill.whenDone(() -> markSeen(target, digest));
        return new BlobSource.Filling(fill, partial.get());
    }

    /** Fills of blobs under way now. */
    int fillsInFlight() {
        return fills.size();
    }

    private BlobSource stored(Target target, Fill fill) {
        BlobSource.Stored stored = new BlobSource.Stored(fill.awaitStored());
        markSeen(target, fill.digest());
        return stored;
    }

    private Fill join(Target target, Digest digest) {
        // The fill forgets itself as it ends; a later miss then finds the blob stored (the fill checks first), or,
        // after a failure, starts anew.
        Fill mine = new Fill(target, digest, blobs, index, upstreams, clock, ended -> fills.remove(digest, ended));
        Fill running = fills.putIfAbsent(digest, mine);
        if (running != null) {
            return running;
        }
        fillThreads.execute(mine::run);
        return mine;
    }

    private void markSeen(Target target, Digest digest) {
        if (!index.isSeen(target.upstream(), target.repository(), digest)) {
            index.markSeen(target.upstream(), target.repository(), digest);
        }
    }
}
