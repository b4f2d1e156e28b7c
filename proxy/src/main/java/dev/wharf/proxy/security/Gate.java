package dev.wharf.proxy.security;

import dev.wharf.proxy.pull.Target;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Decides whether a request may go on, before any cache read or upstream request: who the caller is (client
 * authentication) and whether they may read the target (access rules). Called on the event loop: it must not block,
 * and work that may (a bcrypt check, a file read) runs elsewhere.
 */
public interface Gate {
    /** Lets everything through: no authentication, no access rules. */
    Gate OPEN = (caller, target) -> CompletableFuture.completedFuture(null);

    /**
     * Completes when {@code caller} may read {@code target} (empty for {@code /v2/}, which only needs a caller the
     * gate knows); fails with a {@link Refusal} otherwise.
     */
    CompletableFuture<Void> admit(Caller caller, Optional<Target> target);
}
