package dev.wharf.proxy.security;

import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * Decides whether a request to the admin API or the status page comes from an administrator. Called on the admin
 * event loop: it must not block.
 */
@FunctionalInterface
public interface AdminGate {
    /** Lets everyone in: client authentication is off, and the admin listener is kept private by its address. */
    AdminGate OPEN = (caller, from) -> CompletableFuture.completedFuture(null);

    /**
     * Completes when {@code caller}, connected from {@code from}, is an administrator; fails with a {@link Refusal}
     * otherwise: {@code UNAUTHORIZED} (with its challenges) for missing or wrong credentials, {@code DENIED} for a
     * user who is not an administrator, {@code TOO_MANY_REQUESTS} when credential checks queue up.
     */
    CompletableFuture<Void> admit(Caller caller, SocketAddress from);
}
