package dev.wharf.proxy;

import dev.wharf.proxy.pull.RateBudget;
import dev.wharf.proxy.upstream.RateLimit;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** Low once the last budget an upstream announced is at or below its reserve; an upstream with reserve 0 never is. */
final class ReserveBudget implements RateBudget {
    private record Watched(Supplier<Optional<RateLimit>> lastSeen, int reserve) {}

    private final Map<String, Watched> byUpstream = new ConcurrentHashMap<>();

    /** Watches {@code lastSeen} of {@code upstream} against {@code reserve}; 0 leaves the upstream unwatched. */
    void watch(String upstream, Supplier<Optional<RateLimit>> lastSeen, int reserve) {
        if (reserve > 0) {
            byUpstream.put(upstream, new Watched(lastSeen, reserve));
        }
    }

    @Override
    public boolean isLow(String upstream) {
        Watched watched = byUpstream.get(upstream);
        return watched != null
                && watched.lastSeen()
                        .get()
                        .filter(r -> r.remaining() <= watched.reserve())
                        .isPresent();
    }
}
