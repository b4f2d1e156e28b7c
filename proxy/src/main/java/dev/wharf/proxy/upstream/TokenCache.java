package dev.wharf.proxy.upstream;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bearer tokens of one upstream by (realm, service, scope), each until its refresh instant. Thread-safe; two threads
 * missing at once both fetch, and the later token wins. Bounded: past {@value #MAX_ENTRIES} entries the stale ones
 * go, and if that is not enough, all.
 */
final class TokenCache {
    static final int MAX_ENTRIES = 4096;

    private final Clock clock;
    private final Map<String, TokenResponse> tokens = new ConcurrentHashMap<>();

    TokenCache(Clock clock) {
        this.clock = clock;
    }

    /** The token for {@code key} while it is fresh; empty when absent or due for refresh. */
    Optional<String> find(String key) {
        TokenResponse token = tokens.get(key);
        if (token == null || !clock.instant().isBefore(token.refreshAt())) {
            return Optional.empty();
        }
        return Optional.of(token.token());
    }

    void put(String key, TokenResponse token) {
        if (tokens.size() >= MAX_ENTRIES) {
            Instant now = clock.instant();
            tokens.values().removeIf(t -> !now.isBefore(t.refreshAt()));
            if (tokens.size() >= MAX_ENTRIES) {
                tokens.clear();
            }
        }
        tokens.put(key, token);
    }

    /** Forgets the token for {@code key} if it is still {@code token} (the upstream refused it). */
    void invalidate(String key, String token) {
        tokens.computeIfPresent(key, (k, current) -> current.token().equals(token) ? null : current);
    }

    Instant now() {
        return clock.instant();
    }
}
