package dev.wharf.proxy.pull;

import dev.wharf.proxy.upstream.UpstreamClient;
import java.util.Map;

/** The configured upstream clients by upstream name. */
public final class Upstreams {
    private final Map<String, UpstreamClient> byName;

    public Upstreams(Map<String, UpstreamClient> byName) {
        this.byName = Map.copyOf(byName);
    }

    /** The client of {@code target}'s upstream; the router only admits configured upstreams. */
    UpstreamClient of(Target target) {
        UpstreamClient client = byName.get(target.upstream());
        if (client == null) {
            throw new IllegalStateException("no upstream named " + target.upstream());
        }
        return client;
    }
}
