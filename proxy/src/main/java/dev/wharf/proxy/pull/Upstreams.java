package dev.wharf.proxy.pull;

import dev.wharf.proxy.upstream.UpstreamClient;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * The configured upstreams by name, each with the threads its blocking calls run on: a hung upstream can exhaust only
 * its own lane, never the threads that serve the cache or another upstream.
 */
public final class Upstreams {
    /** One upstream's client and the executor that every call to it (and every fill from it) runs on. */
    public record Lane(UpstreamClient client, Executor executor) {
        public Lane {
            Objects.requireNonNull(client, "client");
            Objects.requireNonNull(executor, "executor");
        }
    }

    private final Map<String, Lane> byName;

    public Upstreams(Map<String, Lane> byName) {
        this.byName = Map.copyOf(byName);
    }

    /** The lane of {@code target}'s upstream; the router only admits configured upstreams. */
    Lane of(Target target) {
        return of(target.upstream());
    }

    /** The lane of the upstream {@code name}, which must be configured. */
    Lane of(String name) {
        Lane lane = byName.get(name);
        if (lane == null) {
            throw new IllegalStateException("no upstream named " + name);
        }
        return lane;
    }
}
