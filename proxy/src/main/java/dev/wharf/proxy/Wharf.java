package dev.wharf.proxy;

import dev.wharf.config.FreshnessRule;
import dev.wharf.config.TagGone;
import dev.wharf.config.UpstreamConfig;
import dev.wharf.config.WharfConfig;
import dev.wharf.proxy.http.WharfServer;
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

/** A running Wharf: storage opened, upstream clients made, the listener bound. Closing stops all of it. */
public final class Wharf implements AutoCloseable {
    private static final int WORKER_THREADS = 64;
    private static final int INDEX_CACHE_ENTRIES = 100_000;
    private static final long HOT_MANIFEST_BYTES = 64L * 1024 * 1024;
    private static final Duration DEFAULT_TAG_TTL = Duration.ofSeconds(60);

    private final BlobStore store;
    private final CacheIndex index;
    private final ExecutorService workers;
    private final WharfServer server;

    private Wharf(BlobStore store, CacheIndex index, ExecutorService workers, WharfServer server) {
        this.store = store;
        this.index = index;
        this.workers = workers;
        this.server = server;
    }

    /** Opens storage and binds the listener; never contacts an upstream. */
    public static Wharf start(WharfConfig config, Clock clock) throws InterruptedException {
        BlobStore store = FileBlobStore.open(config.storage().path());
        CacheIndex index =
                new CachingIndex(RocksIndex.open(config.storage().path().resolve("index")), INDEX_CACHE_ENTRIES);
        StartupCheck.reconcile(store, index);
        ExecutorService workers = Executors.newFixedThreadPool(WORKER_THREADS, named("wharf-worker-"));
        try {
            ReserveBudget budget = new ReserveBudget();
            PullThrough pull = new PullThrough(
                    store,
                    index,
                    new ManifestCache(HOT_MANIFEST_BYTES),
                    upstreams(config, clock, budget),
                    freshness(config),
                    config.maxStale(),
                    upstream -> config.findUpstream(upstream)
                            .filter(u -> u.policy().onTagGone() == TagGone.NOT_FOUND)
                            .isPresent(),
                    budget,
                    clock);
            WharfServer server = WharfServer.start(
                    new InetSocketAddress(
                            config.listen().host(), config.listen().port()),
                    host -> config.findUpstream(host).map(UpstreamConfig::name),
                    config.defaultUpstream(),
                    pull,
                    workers);
            return new Wharf(store, index, workers, server);
        } catch (RuntimeException | InterruptedException e) {
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

    private static Upstreams upstreams(WharfConfig config, Clock clock, ReserveBudget budget) {
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
            RegistryClient client = new RegistryClient(settings, http);
            budget.watch(u.name(), client::rateLimit, u.policy().rateLimitReserve());
            clients.put(
                    u.name(),
                    UpstreamStack.of(
                            client,
                            u.policy(),
                            clock,
                            Sleeper.REAL,
                            () -> ThreadLocalRandom.current().nextDouble()));
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
        server.close();
        workers.shutdownNow();
        index.close();
        store.close();
    }
}
