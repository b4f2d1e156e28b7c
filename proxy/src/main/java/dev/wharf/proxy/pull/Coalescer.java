package dev.wharf.proxy.pull;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Runs one piece of work per key at a time on an executor: the first caller starts it, callers that arrive while it
 * is queued or running share its outcome, value or exception. Work that ends is forgotten, so a later call runs anew.
 *
 * <p>Each caller gets a future of its own. Cancelling it withdraws that caller's interest: work that has not started
 * when nobody is interested any more is skipped (it never runs, so nothing reaches the upstream for a client that
 * has gone). Work that has started runs to its end whoever is left to hear it.
 */
final class Coalescer<K, V> {
    private final ConcurrentHashMap<K, Shared<V>> inFlight = new ConcurrentHashMap<>();

    /** A future of the outcome of {@code work} for {@code key}, shared with every concurrent caller for the key. */
    CompletableFuture<V> run(K key, Executor executor, Supplier<V> work) {
        return run(key, executor, work, UnaryOperator.identity());
    }

    /** As {@link #run(Object, Executor, Supplier)}; callers that join work already started get {@code joined} of it. */
    CompletableFuture<V> run(K key, Executor executor, Supplier<V> work, UnaryOperator<V> joined) {
        while (true) {
            Shared<V> mine = new Shared<>();
            Shared<V> shared = inFlight.putIfAbsent(key, mine);
            if (shared == null) {
                CompletableFuture<V> waiter = mine.join(UnaryOperator.identity());
                start(key, mine, executor, work);
                return waiter;
            }
            CompletableFuture<V> waiter = shared.join(joined);
            if (waiter != null) {
                return waiter;
            }
            // Abandoned before it started: it is leaving the map; start afresh.
            inFlight.remove(key, shared);
        }
    }

    /** How many keys have work queued or under way. */
    int inFlight() {
        return inFlight.size();
    }

    private void start(K key, Shared<V> shared, Executor executor, Supplier<V> work) {
        Runnable task = () -> {
            if (!shared.begin()) {
                inFlight.remove(key, shared);
                shared.outcome.completeExceptionally(new CancellationException("nobody waits for it any more"));
                return;
            }
            try {
                V value = work.get();
                inFlight.remove(key, shared);
                shared.outcome.complete(value);
            } catch (RuntimeException | Error e) {
                inFlight.remove(key, shared);
                shared.outcome.completeExceptionally(e);
            }
        };
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            inFlight.remove(key, shared);
            shared.outcome.completeExceptionally(e);
        }
    }

    /** One run's outcome and how many callers still want it. */
    private static final class Shared<V> {
        final CompletableFuture<V> outcome = new CompletableFuture<>();
        private int interested; // guarded by this
        private boolean abandoned; // guarded by this

        /** A caller's own future of the outcome; null when the run was abandoned and will never happen. */
        synchronized CompletableFuture<V> join(UnaryOperator<V> seen) {
            if (abandoned) {
                return null;
            }
            interested++;
            CompletableFuture<V> waiter = new CompletableFuture<>();
            Futures.forward(outcome.thenApply(seen), waiter);
            waiter.whenComplete((value, failure) -> {
                if (waiter.isCancelled()) {
                    withdraw();
                }
            });
            return waiter;
        }

        private synchronized void withdraw() {
            interested--;
        }

        /** True when the work should run: somebody still wants it. */
        synchronized boolean begin() {
            if (interested <= 0) {
                abandoned = true;
                return false;
            }
            return true;
        }
    }
}
