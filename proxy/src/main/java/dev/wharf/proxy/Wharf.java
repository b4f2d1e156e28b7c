package dev.wharf.proxy;

import dev.wharf.config.AccessLogConfig;
import dev.wharf.config.FreshnessRule;
import dev.wharf.config.TagGone;
import dev.wharf.config.UpstreamConfig;
import dev.wharf.config.WharfConfig;
import dev.wharf.proxy.http.AccessLog;
import dev.wharf.proxy.http.AsyncAccessLog;
import dev.wharf.proxy.http.WharfServer;
import dev.wharf.proxy.metrics.AdminServer;
import dev.wharf.proxy.metrics.NettyMemoryGauge;
import dev.wharf.proxy.metrics.RequestMetrics;
import dev.wharf.proxy.metrics.UpstreamGauges;
import dev.wharf.proxy.pull.FreshnessPolicy;
import dev.wharf.proxy.pull.PullThrough;
import dev.wharf.proxy.pull.Upstreams;
import dev.wharf.proxy.upstream.OfflineClient;
import dev.wharf.proxy.upstream.RegistryClient;
import dev.wharf.proxy.upstream.Sleeper;
import dev.wharf.proxy.upstream.UpstreamClient;
import dev.wharf.proxy.upstream.UpstreamSettings;
import dev.wharf.proxy.upstream.UpstreamStack;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.CacheIndex;
import dev.wharf.storage.ManifestCache;
import dev.wharf.storage.StartupCheck;
import dev.wharf.storage.fs.FileBlobStore;
import dev.wharf.storage.index.CachingIndex;
import dev.wharf.storage.index.RocksIndex;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A running Wharf: storage opened, upstream clients made, the {@code /v2/} and admin listeners bound. Closing stops
 * all of it.
 */
public final class Wharf implements AutoCloseable {
    private static final String HTTP_CLIENT_BUFFER = "jdk.httpclient.bufsize";
    private static final String ACCESS_LOG_DROPPED = "wharf_access_log_dropped_total";

    private static final int WORKER_THREADS = 64;
    private static final int INDEX_CACHE_ENTRIES = 100_000;
    private static final long HOT_MANIFEST_BYTES = 64L * 1024 * 1024;
    private static final Duration DEFAULT_TAG_TTL = Duration.ofSeconds(60);

    private final BlobStore store;
    private final CacheIndex index;
    private final ExecutorService workers;
    private final PrometheusMeterRegistry meters;
    private final WharfServer server;
    private final AdminServer admin;
    private final AsyncAccessLog accessLog; // null when off

    private Wharf(
            BlobStore store,
            CacheIndex index,
            ExecutorService workers,
            PrometheusMeterRegistry meters,
            WharfServer server,
            AdminServer admin,
            AsyncAccessLog accessLog) {
        this.store = store;
        this.index = index;
        this.workers = workers;
        this.meters = meters;
        this.server = server;
        this.admin = admin;
        this.accessLog = accessLog;
    }

    /** Opens storage and binds both listeners; never contacts an upstream. */
    public static Wharf start(WharfConfig config, Clock clock) throws InterruptedException {
        BlobStore store = FileBlobStore.open(config.storage().path());
        CacheIndex index =
                new CachingIndex(RocksIndex.open(config.storage().path().resolve("index")), INDEX_CACHE_ENTRIES);
        StartupCheck.reconcile(store, index);
        ExecutorService workers = Executors.newFixedThreadPool(WORKER_THREADS, named("wharf-worker-"));
        PrometheusMeterRegistry meters = meters();
        WharfServer server = null;
        AsyncAccessLog accessLog = null;
        try {
            accessLog = accessLog(config.accessLog(), meters);
            ReserveBudget budget = new ReserveBudget();
            PullThrough pull = new PullThrough(
                    store,
                    index,
                    new ManifestCache(HOT_MANIFEST_BYTES),
                    upstreams(config, clock, budget, meters),
                    freshness(config),
                    config.maxStale(),
                    upstream -> config.findUpstream(upstream)
                            .filter(u -> u.policy().onTagGone() == TagGone.NOT_FOUND)
                            .isPresent(),
                    budget,
                    clock);
            server = WharfServer.start(
                    new InetSocketAddress(
                            config.listen().host(), config.listen().port()),
                    host -> config.findUpstream(host).map(UpstreamConfig::name),
                    config.defaultUpstream(),
                    pull,
                    workers,
                    new RequestMetrics(
                            meters,
                            config.upstreams().stream()
                                    .map(UpstreamConfig::name)
                                    .toList()),
                    accessLog == null ? AccessLog.OFF : accessLog);
            NettyMemoryGauge.register(meters, server.allocator());
            AdminServer admin = AdminServer.start(
                    new InetSocketAddress(
                            config.adminListen().host(), config.adminListen().port()),
                    meters);
            return new Wharf(store, index, workers, meters, server, admin, accessLog);
        } catch (RuntimeException | InterruptedException e) {
            if (server != null) {
                server.close();
            }
            if (accessLog != null) {
                accessLog.close();
            }
            meters.close();
            workers.shutdownNow();
            index.close();
            store.close();
            throw e;
        }
    }

    /** Where the {@code /v2/} listener is bound. */
    public InetSocketAddress address() {
        return server.address();
    }

    /** Where the admin listener ({@code /metrics}, {@code /healthz}) is bound. */
    public InetSocketAddress adminAddress() {
        return admin.address();
    }

    /** The access log {@code config} asks for, its drops counted in {@code meters}; null when it is off. */
    private static AsyncAccessLog accessLog(AccessLogConfig config, MeterRegistry meters) {
        if (!config.enabled()) {
            return null;
        }
        AsyncAccessLog log = config.file().map(AsyncAccessLog::toFile).orElseGet(AsyncAccessLog::toStdout);
        FunctionCounter.builder(ACCESS_LOG_DROPPED, log, AsyncAccessLog::dropped)
                .description("Access log entries not written because the writer fell behind")
                .register(meters);
        return log;
    }

    private static PrometheusMeterRegistry meters() {
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        new UptimeMetrics().bindTo(meters);
        return meters;
    }

    private static Upstreams upstreams(WharfConfig config, Clock clock, ReserveBudget budget, MeterRegistry meters) {
        // The JDK client reads responses in buffers of this size (16 KiB unless set): 256 KiB halves the CPU a blob
        // download costs. It is read once, when the first client is made in the JVM; a value the user set wins.
        if (System.getProperty(HTTP_CLIENT_BUFFER) == null) {
            System.setProperty(HTTP_CLIENT_BUFFER, String.valueOf(256 * 1024));
        }
        // One client for all upstreams: pooled keep-alive connections; redirects are followed by RegistryClient.
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        Map<String, UpstreamClient> clients = new LinkedHashMap<>();
        for (UpstreamConfig u : config.upstreams()) {
            if (config.isOffline(u)) {
                clients.put(u.name(), new OfflineClient(u.name()));
                continue;
            }
            UpstreamSettings settings = new UpstreamSettings(
                    u.name(),
                    u.url(),
                    u.username(),
                    u.password(),
                    u.token(),
                    u.authRealmHosts(),
                    u.connectTimeout(),
                    u.readTimeout());
            RegistryClient registry = new RegistryClient(settings, http);
            budget.watch(u.name(), registry::rateLimit, u.policy().rateLimitReserve());
            UpstreamStack.Assembled stack = UpstreamStack.assemble(
                    registry,
                    u.policy(),
                    clock,
                    Sleeper.REAL,
                    () -> ThreadLocalRandom.current().nextDouble());
            UpstreamGauges.register(meters, u.name(), registry::rateLimit, stack.breaker()::state);
            clients.put(u.name(), stack.client());
        }
        return new Upstreams(clients);
    }

    private static FreshnessPolicy freshness(WharfConfig config) {
        return (target, tag) -> FreshnessRule.ttlFor(
                config.freshness(), target.upstream() + "/" + target.repository(), tag.value(), DEFAULT_TAG_TTL);
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void close() {
        admin.close();
        server.close();
        if (accessLog != null) {
            accessLog.close();
        }
        meters.close();
        workers.shutdownNow();
        index.close();
        store.close();
    }
}
