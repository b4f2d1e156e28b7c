package dev.wharf.proxy.pull;

import dev.wharf.proxy.upstream.BlobResponse;
import dev.wharf.storage.BlobContent;
import dev.wharf.storage.BlobReader;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.BlobWriter;
import dev.wharf.storage.CacheIndex;
import dev.wharf.storage.Digest;
import dev.wharf.storage.DigestEntry;
import dev.wharf.storage.FillLease;
import dev.wharf.storage.StorageException;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * One upstream download of one blob into the store, shared by every client that wants it meanwhile. It runs on its
 * upstream's lane, so it goes on when the client that started it leaves; its writes run on the {@code writes} executor
 * while the next bytes arrive ({@link PipelinedCopy}). Progress ({@link #written()}) grows as chunks land; listeners run
 * on the writing thread after each chunk, once the bytes are verified (see {@link #sendableEnd}) and
 * once at the end, so they must only hand work off. It ends {@link State#DONE} once the blob is verified, published and
 * indexed, or {@link State#FAILED}.
 *
 * <p>Clients {@link #join()} it before it starts; a fill that nobody waits for any more when its turn on the
 * upstream's lane comes is skipped without a request upstream. Once started it runs to its end.
 */
public final class Fill {
    /** Where a fill is. */
    public enum State {
        RUNNING,
        DONE,
        FAILED
    }

    private final Target target;
    private final Digest digest;
    private final BlobStore blobs;
    private final CacheIndex index;
    private final Upstreams upstreams;
    private final Clock clock;
    private final Executor writes;
    private final FillTurns turns;
    private final Consumer<Fill> onEnd;
    private final CompletableFuture<Long> headers = new CompletableFuture<>();
    private final CompletableFuture<Long> completion = new CompletableFuture<>();
    private final CopyOnWriteArrayList<Runnable> listeners = new CopyOnWriteArrayList<>();
    // Open while bytes are written and published, null before and after.
    private volatile BlobWriter writer;
    private volatile boolean published;
    private volatile long size = -1;
    private volatile long written;
    private volatile boolean verified;
    private volatile State state = State.RUNNING;
    private volatile Throwable failure;
    private int waiters; // guarded by this
    private boolean abandoned; // guarded by this
    private final Set<Target> seenBy = new LinkedHashSet<>(); // guarded by this
    private boolean recorded; // guarded by this: the blob is kept and seenBy's repositories are marked

    /** {@code onEnd} runs just before the outcome is visible, so that a caller who sees it never joins this fill. */
    Fill(
            Target target,
            Digest digest,
            BlobStore blobs,
            CacheIndex index,
            Upstreams upstreams,
            Clock clock,
            Executor writes,
            FillTurns turns,
            Consumer<Fill> onEnd) {
        this.target = target;
        this.digest = digest;
        this.blobs = blobs;
        this.index = index;
        this.upstreams = upstreams;
        this.clock = clock;
        this.writes = writes;
        this.turns = turns;
        this.onEnd = onEnd;
    }

    /** The repository (and upstream) the blob is fetched through. */
    Target target() {
        return target;
    }

    /** The blob being filled. */
    public Digest digest() {
        return digest;
    }

    /** The size the upstream announced; -1 until its headers arrived or when it did not say. */
    public long size() {
        return size;
    }

    /** Bytes written to the store so far. */
    public long written() {
        return written;
    }

    /**
     * The end (exclusive) of the bytes of a response ending at {@code end} that may be sent now: all of them once the
     * bytes are verified, otherwise what has been written, short of the response's last byte, so that no response
     * whose bytes fail verification is ever complete. Throws {@link IOException} once the fill failed unverified.
     */
    public long sendableEnd(long end) throws IOException {
        // Verified bytes stay good even if publishing them fails later: readers keep their file open.
        if (verified) {
            return end;
        }
        if (state == State.FAILED) {
            throw new IOException("fill of " + digest + " failed", failure);
        }
        return Math.min(end - 1, written);
    }

    /** Where the fill is now. */
    public State state() {
        return state;
    }

    /**
     * Runs {@code listener} after every chunk written, once verified and once when the fill ends; returns what removes
     * it.
     */
    public Runnable listen(Runnable listener) {
        listeners.add(listener);
        if (state != State.RUNNING) {
            listener.run();
        }
        return () -> listeners.remove(listener);
    }

    /**
     * A reader of the bytes written so far, or of the stored blob once it is published; empty when the fill failed.
     * Blocks on a file open: call it from a worker thread. The caller closes it.
     */
    Optional<BlobReader> openPartial() {
        BlobWriter current = writer;
        if (current != null) {
            try {
                return Optional.of(current.openPartial());
            } catch (IllegalStateException | StorageException e) {
                // The writer finished, or its temp file was renamed into place meanwhile: read what it published.
            }
        }
        if (published) {
            Optional<BlobReader> stored = blobs.open(digest);
            if (stored.isPresent()) {
                return stored;
            }
        }
        // Between writing and the end (verification failed, or an earlier fill published it): the end is near.
        completion.handle((value, e) -> null).join();
        return state == State.DONE ? blobs.open(digest) : Optional.empty();
    }

    /** How many requests joined this fill and did not leave it (the one that started it included). */
    synchronized int joined() {
        return Math.max(0, waiters);
    }

    /** Registers one more waiter; false when the fill was skipped for want of waiters (join another one). */
    synchronized boolean join() {
        if (abandoned) {
            return false;
        }
        waiters++;
        return true;
    }

    /** A waiter gave up (its client left); once nobody waits, a fill that has not started will not start. */
    synchronized void leave() {
        waiters--;
    }

    private synchronized boolean begin() {
        if (waiters <= 0) {
            abandoned = true;
        }
        return !abandoned;
    }

    /**
     * Records that {@code other}'s repository references this blob, once the blob is kept: before anyone sees the
     * fill done, or at once (on this thread) when it already is kept; never after a failure.
     */
    void seenBy(Target other) {
        synchronized (this) {
            if (!recorded) {
                seenBy.add(other);
                return;
            }
        }
        markSeen(other);
    }

    /** Runs on the fill thread once the blob is kept and indexed, before the fill is seen done. */
    private void recordSeen() {
        List<Target> repositories;
        synchronized (this) {
            recorded = true;
            repositories = new ArrayList<>(seenBy);
        }
        markSeen(target);
        repositories.forEach(this::markSeen);
    }

    private void markSeen(Target repository) {
        if (!index.isSeen(repository.upstream(), repository.repository(), digest)) {
            index.markSeen(repository.upstream(), repository.repository(), digest);
        }
    }

    /** Completes with the size the upstream announced (-1 when unknown) once its headers arrived, or its failure. */
    CompletableFuture<Long> headers() {
        return headers.copy();
    }

    /** Completes with the blob's size once it is stored, or with the fill's failure. */
    CompletableFuture<Long> ended() {
        return completion.copy();
    }

    /** Waits for the end of the fill; returns a reader of the stored blob or throws the failure. */
    BlobReader awaitStored() {
        Futures.join(completion);
        return blobs.open(digest).orElseThrow(Fill::vanished);
    }

    /** The stored blob as the store serves it, once the fill is done; throws when it vanished since. */
    BlobContent openStored() {
        return blobs.openContent(digest).orElseThrow(Fill::vanished);
    }

    private static StorageException vanished() {
        return new StorageException(StorageException.Kind.IO, "blob vanished after its fill");
    }

    /** Ends a fill that could not be started (its lane refused it) with {@code cause}. */
    void fail(Throwable cause) {
        finish(State.FAILED, cause);
    }

    /** Fetches, writes, verifies, publishes and indexes; never throws (the outcome is in the state). */
    void run() {
        if (!begin()) {
            finish(State.FAILED, new CancellationException("no client waits for " + digest + " any more"));
            return;
        }
        try {
            // A fill that raced with an earlier fill is already done.
            Optional<Long> stored = blobs.findSize(digest);
            if (stored.isPresent()) {
                foundStored(stored.get());
                return;
            }
            // Another replica sharing the store may be filling it: one fetches, the others wait for its blob.
            FillTurns.Turn turn = turns.await(digest);
            if (turn.lease().isEmpty()) {
                foundStored(turn.storedSize());
                return;
            }
            long total;
            try (FillLease lease = turn.lease().get()) {
                Runnable stopRenewing = turns.keepRenewed(lease);
                try {
                    total = download();
                } finally {
                    stopRenewing.run();
                }
            }
            index.putDigest(digest, new DigestEntry(total, "", clock.instant()));
            recordSeen();
            finish(State.DONE, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finish(State.FAILED, e);
        } catch (RuntimeException | Error e) {
            finish(State.FAILED, e);
        }
    }

    /** Ends the fill with a blob the store holds already: its bytes were verified when they were stored. */
    private void foundStored(long storedSize) {
        size = storedSize;
        written = size;
        verified = true;
        headers.complete(size);
        recordSeen();
        finish(State.DONE, null);
    }

    private long download() {
        try (BlobResponse response = upstreams.of(target).client().fetchBlob(target.repository(), digest)) {
            BlobWriter w = blobs.create(digest, response.contentLength());
            writer = w;
            try {
                size = response.contentLength();
                headers.complete(size);
                PipelinedCopy.copy(response.body(), w, writes, () -> {
                    written = w.written();
                    notifyListeners();
                });
                w.verify();
                // Clients need not wait for the fsync: their bytes are known good now.
                verified = true;
                notifyListeners();
                w.commit();
                // Before the writer is forgotten, so that a reader who finds no writer finds the blob published.
                published = true;
                return w.written();
            } finally {
                writer = null;
                w.close();
            }
        }
    }

    private void finish(State end, Throwable cause) {
        onEnd.accept(this);
        if (cause != null) {
            headers.completeExceptionally(cause);
        }
        failure = cause;
        state = end;
        if (cause == null) {
            completion.complete(written);
        } else {
            completion.completeExceptionally(cause);
        }
        notifyListeners();
    }

    private void notifyListeners() {
        for (Runnable listener : listeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                // A listener's trouble is its client's, never the fill's.
            }
        }
    }
}
