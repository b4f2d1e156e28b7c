package dev.wharf.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How the registry API is served safely: a TLS listener besides the plain one ({@code tls}), client authentication
 * ({@code auth}, off when empty) and access rules per upstream ({@code access}, at most one per upstream).
 */
public record Security(Optional<ServerTls> tls, Optional<ClientAuth> auth, List<AccessRule> access) {
    /** No TLS listener, no authentication, every repository readable. */
    public static final Security NONE = new Security(Optional.empty(), Optional.empty(), List.of());

    public Security {
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(auth, "auth");
        access = List.copyOf(access);
    }

    /** The rule for {@code upstream} (its canonical name); empty when every repository of it is readable. */
    public Optional<AccessRule> accessFor(String upstream) {
        return access.stream().filter(rule -> rule.upstream().equals(upstream)).findFirst();
    }
}
