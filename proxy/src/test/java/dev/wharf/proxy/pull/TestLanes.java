package dev.wharf.proxy.pull;

import dev.wharf.proxy.upstream.UpstreamClient;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Upstream lanes for tests: every call on a daemon thread of one shared, unbounded pool. */
final class TestLanes {
    private static final ExecutorService THREADS = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "test-lane");
        thread.setDaemon(true);
        return thread;
    });

    /** Deadlines that never pass: a client always waits for its re-check, as without a deadline. */
    static final Scheduler NEVER = (delay, action) -> () -> {};

    private TestLanes() {}

    /** One upstream named {@code name}, its calls on their own threads. */
    static Upstreams of(String name, UpstreamClient client) {
        return new Upstreams(Map.of(name, new Upstreams.Lane(client, THREADS)));
    }
}
