package dev.wharf.proxy;

import dev.wharf.config.UpstreamConfig;
import dev.wharf.config.WharfConfig;
import dev.wharf.proxy.metrics.UpstreamGauges;
import dev.wharf.proxy.pull.Upstreams;
import dev.wharf.proxy.upstream.CredentialRoutes;
import dev.wharf.proxy.upstream.CredentialSources;
import dev.wharf.proxy.upstream.OfflineClient;
import dev.wharf.proxy.upstream.RegistryClient;
import dev.wharf.proxy.upstream.Sleeper;
import dev.wharf.proxy.upstream.UpstreamSettings;
import dev.wharf.proxy.upstream.UpstreamSsl;
import dev.wharf.proxy.upstream.UpstreamStack;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lane per configured upstream: its client (the registry client in the decorators its policy asks for, on an
 * HTTP client of its own with the upstream's connect timeout) and a pool of {@code maxConcurrent} threads that all its
 * blocking calls and fills run on; one watchdog thread times out every upstream's stalled bodies. Closing stops them.
 */
final class UpstreamLanes implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamLanes.class);
    private final Upstreams upstreams;
    private final List<ExecutorService> pools;

    private UpstreamLanes(Upstreams upstreams, List<ExecutorService> pools) {
        this.upstreams = upstreams;
        this.pools = pools;
    }

    private static ScheduledThreadPoolExecutor watchdog() {
        ScheduledThreadPoolExecutor watchdog =
                new ScheduledThreadPoolExecutor(1, Threads.named("wharf-upstream-watchdog-"));
        watchdog.setRemoveOnCancelPolicy(true);
        return watchdog;
    }

    /** Makes the clients and pools; dials nothing. The upstreams' pull budgets are watched by {@code budget}. */
    static UpstreamLanes open(WharfConfig config, Clock clock, ReserveBudget budget, MeterRegistry meters) {
        Map<String, Upstreams.Lane> lanes = new LinkedHashMap<>();
        ScheduledThreadPoolExecutor watchdog = watchdog();
        List<ExecutorService> pools = new ArrayList<>(List.of(watchdog));
        try {
            for (UpstreamConfig u : config.upstreams()) {
                addLane(u, config, clock, budget, meters, watchdog, lanes, pools);
            }
        } catch (RuntimeException e) {
            // A client that cannot be made (a certificate file that does not parse) leaves no thread behind.
            pools.forEach(ExecutorService::shutdownNow);
            throw e;
        }
        return new UpstreamLanes(new Upstreams(lanes), List.copyOf(pools));
    }

    private static void addLane(
            UpstreamConfig u,
            WharfConfig config,
            Clock clock,
            ReserveBudget budget,
            MeterRegistry meters,
            ScheduledThreadPoolExecutor watchdog,
            Map<String, Upstreams.Lane> lanes,
            List<ExecutorService> pools) {
        ExecutorService pool =
                Threads.bounded("wharf-upstream-" + u.name(), u.policy().maxConcurrent());
        pools.add(pool);
        if (config.isOffline(u)) {
            lanes.put(u.name(), new Upstreams.Lane(new OfflineClient(u.name()), pool));
            return;
        }
        CredentialRoutes credentials = CredentialSources.routes(u, clock, LOG::info);
        RegistryClient registry =
                new RegistryClient(settings(u), credentials, UpstreamSsl.of(u.name(), u.url(), u.tls()), watchdog);
        budget.watch(u.name(), registry::rateLimit, u.policy().rateLimitReserve());
        UpstreamStack.Assembled stack = UpstreamStack.assemble(
                registry,
                u.policy(),
                clock,
                Sleeper.REAL,
                () -> ThreadLocalRandom.current().nextDouble());
        UpstreamGauges.register(meters, u.name(), registry::rateLimit, stack.breaker()::state);
        UpstreamGauges.countCredentialFailures(meters, u.name(), registry);
        lanes.put(u.name(), new Upstreams.Lane(stack.client(), pool));
    }

    private static UpstreamSettings settings(UpstreamConfig u) {
        return new UpstreamSettings(
                u.name(),
                u.url(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                u.authRealmHosts(),
                u.connectTimeout(),
                u.readTimeout(),
                u.manifestTimeout());
    }

    /** The lanes by upstream name. */
    Upstreams upstreams() {
        return upstreams;
    }

    /** Stops every pool and the watchdog; calls under way are interrupted. */
    @Override
    public void close() {
        pools.forEach(ExecutorService::shutdownNow);
    }
}
