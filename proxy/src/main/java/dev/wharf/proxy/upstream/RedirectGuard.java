package dev.wharf.proxy.upstream;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Decides whether a redirect target may be requested: every address its host resolves to must be public, or of a
 * scope the upstream's own host has (a redirect from an upstream on 127.0.0.1 may stay on loopback; one from a public
 * registry may not lead to loopback, link-local or private addresses). Runs on an upstream lane thread: resolving may
 * block. The check and the connection resolve separately, so a DNS answer that changes in between (rebinding) is not
 * caught here; the target's bytes are still digest-verified and it never receives credentials.
 */
final class RedirectGuard {
    /** Resolves a host name (or IP literal) to its addresses; throws {@link UnknownHostException} when it cannot. */
    @FunctionalInterface
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final Resolver resolver;
    private final String home;

    RedirectGuard(Resolver resolver, URI upstream) {
        this.resolver = resolver;
        this.home = upstream.getHost();
    }

    static RedirectGuard system(URI upstream) {
        return new RedirectGuard(InetAddress::getAllByName, upstream);
    }

    /** Throws {@link IllegalArgumentException} with a reason (never the target's name) when {@code target} is refused. */
    void check(URI to) {
        Set<AddressScope> allowed = EnumSet.of(AddressScope.PUBLIC);
        try {
            allowed.addAll(scopes(home));
        } catch (UnknownHostException e) {
            // The upstream's own name no longer resolves: only public targets remain.
        }
        Set<AddressScope> target;
        try {
            target = scopes(to.getHost());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("redirect to a host that does not resolve");
        }
        for (AddressScope scope : target) {
            if (!allowed.contains(scope)) {
                throw new IllegalArgumentException("redirect to a "
                        + scope.name().toLowerCase(Locale.ROOT).replace('_', '-') + " address refused");
            }
        }
    }

    private Set<AddressScope> scopes(String host) throws UnknownHostException {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        Set<AddressScope> scopes = EnumSet.noneOf(AddressScope.class);
        for (InetAddress address : resolver.resolve(bare)) {
            scopes.add(AddressScope.of(address));
        }
        return scopes;
    }
}
