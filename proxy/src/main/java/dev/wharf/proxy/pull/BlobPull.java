package dev.wharf.proxy.pull;

import dev.wharf.storage.BlobContent;
import dev.wharf.storage.BlobReader;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.CacheIndex;
import dev.wharf.storage.Digest;
import dev.wharf.storage.FillLeases;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * Blobs by digest: served from the store when present (digests are immutable, so no upstream request), otherwise
 * from the one {@link Fill} of that digest, which every concurrent miss joins and which callers read while it grows.
 * Fills run on their upstream's lane; nothing here waits for an upstream on a storage thread.
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
    private final Executor storage;
    private final Clock clock;
    private final FillTurns turns;
    private final ConcurrentHashMap<Digest, Fill> fills = new ConcurrentHashMap<>();
    private final Membership membership;

    BlobPull(
            BlobStore blobs,
            CacheIndex index,
            Upstreams upstreams,
            Executor storage,
            Clock clock,
            FillLeases leases,
            Scheduler scheduler) {
        this.blobs = blobs;
        this.index = index;
        this.upstreams = upstreams;
        this.storage = storage;
        this.clock = clock;
        this.turns = new FillTurns(leases, blobs, scheduler, storage);
        this.membership = new Membership(index, upstreams);
    }

    /**
     * Runs on a storage thread. The stored blob, or the fill of a miss once the upstream's response headers arrived
     * (when the upstream did not announce a size, or announced at most {@link #STREAM_ABOVE} bytes, the stored blob
     * once the fill is done); fails with the fill's failure. Cancelling the future before the fill started withdraws
     * this caller from it. The receiver closes the source.
     */
    CompletableFuture<BlobSource> open(Target target, Digest digest) {
        boolean linked = membership.isLinked(target, digest);
        Optional<BlobContent> cached = blobs.openContent(digest);
        if (cached.isPresent()) {
            if (linked || fetchingThrough(target, digest)) {
                return CompletableFuture.completedFuture(new BlobSource.Stored(cached.get()));
            }
            cached.get().close();
            return confirmThenOpen(target, digest);
        }
        boolean[] started = new boolean[1];
        Fill fill = join(target, digest, linked, started);
        if (fill == null) {
            return confirmThenOpen(target, digest);
        }
        Outcome outcome = started[0] ? Outcome.MISS : Outcome.COALESCED;
        CompletableFuture<BlobSource> answer = new CompletableFuture<>();
        answer.whenComplete((source, failure) -> {
            if (answer.isCancelled()) {
                fill.leave();
            }
        });
        fill.headers().whenComplete((size, failure) -> {
            if (failure != null) {
                answer.completeExceptionally(Futures.unwrap(failure));
            } else if (size <= STREAM_ABOVE) {
                fill.ended().whenComplete((stored, error) -> deliver(answer, error, () -> stored(fill, outcome)));
            } else {
                deliver(answer, null, () -> filling(fill, outcome));
            }
        });
        return answer;
    }

    /** The size of the blob once it is stored, fetching it when missing; the fill a client would join. */
    CompletableFuture<Long> ensure(Target target, Digest digest) {
        Optional<Long> size = blobs.findSize(digest);
        if (size.isPresent()) {
            markSeen(target, digest);
            return CompletableFuture.completedFuture(size.get());
        }
        Fill fill = join(target, digest, true, new boolean[1]);
        CompletableFuture<Long> answer = new CompletableFuture<>();
        Futures.forward(fill.ended(), answer);
        answer.whenComplete((stored, failure) -> {
            if (answer.isCancelled()) {
                fill.leave();
            }
        });
        return answer;
    }

    /**
     * True while {@code target}'s own fill of {@code digest} runs: it has stored the blob but not yet recorded the link
     * (it does so before it ends), so the bytes came through this very repository.
     */
    private boolean fetchingThrough(Target target, Digest digest) {
        Fill running = fills.get(digest);
        return running != null && running.target().equals(target);
    }

    /**
     * Bytes stored or being filled through another repository or upstream are served through {@code target} only once
     * its upstream confirms that {@code target}'s repository has them (the linked-content rule); fails with the
     * upstream's answer ({@code NOT_FOUND}: the repository does not have the blob) otherwise.
     */
    private CompletableFuture<BlobSource> confirmThenOpen(Target target, Digest digest) {
        return membership
                .confirmBlob(target, digest)
                .thenCompose(confirmed -> Futures.on(storage, () -> open(target, digest)));
    }

    /** Opens the source on a storage thread (file opens block) and hands it over; closes it if nobody takes it. */
    private void deliver(CompletableFuture<BlobSource> answer, Throwable failure, Supplier<BlobSource> open) {
        if (failure != null) {
            answer.completeExceptionally(Futures.unwrap(failure));
            return;
        }
        try {
            storage.execute(() -> {
                if (answer.isDone()) {
                    return;
                }
                try {
                    BlobSource source = open.get();
                    if (!answer.complete(source)) {
                        source.close();
                    }
                } catch (RuntimeException e) {
                    answer.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            answer.completeExceptionally(e);
        }
    }

    private BlobSource stored(Fill fill, Outcome outcome) {
        return new BlobSource.Stored(fill.openStored(), outcome);
    }

    private BlobSource filling(Fill fill, Outcome outcome) {
        Optional<BlobReader> partial = fill.openPartial();
        if (partial.isEmpty()) {
            if (fill.state() == Fill.State.FAILED) {
                // It failed before any client was served: its own failure, not a missing stored blob.
                Futures.join(fill.ended());
            }
            return stored(fill, outcome);
        }
        return new BlobSource.Filling(fill, partial.get(), outcome);
    }

    /** How many blobs are being fetched from upstreams right now. */
    int fillsInFlight() {
        return fills.size();
    }

    /** How many requests wait on the fills in flight. */
    int fillJoins() {
        return fills.values().stream().mapToInt(Fill::joined).sum();
    }

    /**
     * The running fill of {@code digest}, joined, or a new one started on the upstream's lane. Either way the fill
     * records {@code target}'s repository as referencing the blob once it is kept, before it is seen done. Unless
     * {@code linked} ({@code target}'s repository is known to reference the blob), a fill through another repository
     * or upstream is not joined: null then. {@code started} is set when this call started the fill.
     */
    private Fill join(Target target, Digest digest, boolean linked, boolean[] started) {
        while (true) {
            // The fill forgets itself as it ends; a later miss then finds the blob stored (the fill checks first),
            // or, after a failure, starts anew.
            Fill mine = new Fill(
                    target,
                    digest,
                    blobs,
                    index,
                    upstreams,
                    clock,
                    storage,
                    turns,
                    ended -> fills.remove(digest, ended));
            Fill running = fills.putIfAbsent(digest, mine);
            if (running == null) {
                started[0] = true;
                mine.join();
                start(target, mine);
                return mine;
            }
            if (!linked && !running.target().equals(target)) {
                return null;
            }
            if (running.join()) {
                running.seenBy(target);
                return running;
            }
            // Skipped for want of waiters just now: it is leaving the map.
            fills.remove(digest, running);
        }
    }

    private void start(Target target, Fill fill) {
        try {
            upstreams.of(target).executor().execute(fill::run);
        } catch (RejectedExecutionException e) {
            fill.fail(e);
        }
    }

    private void markSeen(Target target, Digest digest) {
        if (!index.isSeen(target.upstream(), target.repository(), digest)) {
            index.markSeen(target.upstream(), target.repository(), digest);
        }
    }
}
