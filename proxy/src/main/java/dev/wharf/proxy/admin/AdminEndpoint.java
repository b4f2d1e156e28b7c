package dev.wharf.proxy.admin;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * One endpoint of the admin listener. {@link #answer} is called on the admin event loop and must not block: an endpoint
 * that reads the disk or the index runs its work elsewhere ({@link #on}) and completes the future there.
 */
@FunctionalInterface
public interface AdminEndpoint {
    /** The answer to {@code request}; a failed future is answered 500 without its message. */
    CompletableFuture<AdminResponse> answer(AdminRequest request);

    /** An endpoint answered at once on the event loop: {@code body} reads memory only. */
    static AdminEndpoint now(Function<AdminRequest, AdminResponse> body) {
        return request -> CompletableFuture.completedFuture(body.apply(request));
    }

    /** An endpoint whose {@code body} may block, run on {@code executor}. */
    static AdminEndpoint on(Executor executor, Function<AdminRequest, AdminResponse> body) {
        return request -> CompletableFuture.supplyAsync(() -> body.apply(request), executor);
    }
}
