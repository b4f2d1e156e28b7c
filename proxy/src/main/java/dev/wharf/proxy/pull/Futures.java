package dev.wharf.proxy.pull;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/** How pull chains asynchronous steps so that a caller's cancellation reaches the step under way. */
final class Futures {
    private Futures() {}

    /**
     * Runs {@code step} on {@code executor} and completes the returned future as the future {@code step} returns
     * does. Cancelling the returned future skips {@code step} when it has not run yet, else cancels what it returned.
     */
    static <T> CompletableFuture<T> on(Executor executor, Supplier<CompletableFuture<T>> step) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                if (result.isDone()) {
                    return;
                }
                try {
                    link(step.get(), result);
                } catch (RuntimeException | Error e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(e);
        }
        return result;
    }

    /** Completes {@code outer} as {@code inner} completes, and cancels {@code inner} when {@code outer} is cancelled. */
    static <T> void link(CompletableFuture<T> inner, CompletableFuture<T> outer) {
        forward(inner, outer);
        outer.whenComplete((value, failure) -> {
            if (outer.isCancelled()) {
                inner.cancel(false);
            }
        });
    }

    /** Completes {@code target} with the outcome of {@code source} (its cause, not a {@link CompletionException}). */
    static <T> void forward(CompletableFuture<T> source, CompletableFuture<T> target) {
        source.whenComplete((value, failure) -> {
            if (failure == null) {
                target.complete(value);
            } else {
                target.completeExceptionally(unwrap(failure));
            }
        });
    }

    /** The failure itself, out of the {@link CompletionException} that dependent stages wrap it in. */
    static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    /** Waits for {@code future} and returns its value, or throws its failure as it was thrown. */
    static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            Throwable cause = unwrap(e);
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }
}
