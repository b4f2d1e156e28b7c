package dev.wharf.proxy;

import dev.wharf.config.AccessLogConfig;
import dev.wharf.config.UpstreamConfig;
import dev.wharf.config.WharfConfig;
import dev.wharf.proxy.admin.AdminEndpoints;
import dev.wharf.proxy.admin.AdminRoutes;
import dev.wharf.proxy.admin.AdminServer;
import dev.wharf.proxy.admin.CacheEndpoints;
import dev.wharf.proxy.admin.PrewarmRoutes;
import dev.wharf.proxy.admin.StatsEndpoint;
import dev.wharf.proxy.admin.StatusPage;
import dev.wharf.proxy.admin.UpstreamsEndpoint;
import dev.wharf.proxy.eviction.PinnedImages;
import dev.wharf.proxy.http.AccessLog;
import dev.wharf.proxy.http.AsyncAccessLog;
import dev.wharf.proxy.http.WharfServer;
import dev.wharf.proxy.metrics.FillsGauge;
import dev.wharf.proxy.metrics.NettyMemoryGauge;
import dev.wharf.proxy.metrics.RecentTraffic;
import dev.wharf.proxy.metrics.RequestMetrics;
import dev.wharf.proxy.prewarm.PrewarmPins;
import dev.wharf.proxy.security.SecurityGate;
import dev.wharf.proxy.security.ServerSsl;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A running Wharf: the {@link Core} (storage, upstream lanes, pull-through cache) with the {@code /v2/} and admin
 * listeners bound. Closing stops the listeners first, then the core.
 */
public final class Wharf implements AutoCloseable {
    private static final String ACCESS_LOG_DROPPED = "wharf_access_log_dropped_total";

    private final Core core;
    private final PrometheusMeterRegistry meters;
    private final WharfServer server;
    private final AdminServer admin;
    private final AsyncAccessLog accessLog; // null when off
    private final Prewarming prewarming;
    private final Guard guard;

    /** What serves the registry API safely: the gate of every request and the TLS listener's certificate. */
    private record Guard(SecurityGate gate, Optional<ServerSsl> ssl) implements AutoCloseable {
        static Guard of(WharfConfig config) {
            SecurityGate gate = SecurityGate.of(config.security());
            try {
                return new Guard(gate, config.security().tls().map(ServerSsl::open));
            } catch (RuntimeException e) {
                gate.close();
                throw e;
            }
        }

        WharfServer.Security forServer(WharfConfig config) {
            return new WharfServer.Security(
                    gate,
                    ssl.map(s -> new WharfServer.Tls(
                            new InetSocketAddress(
                                    config.security()
                                            .tls()
                                            .orElseThrow()
                                            .listen()
                                            .host(),
                                    config.security()
                                            .tls()
                                            .orElseThrow()
                                            .listen()
                                            .port()),
                            s)));
        }

        @Override
        public void close() {
            ssl.ifPresent(ServerSsl::close);
            gate.close();
        }
    }

    private Wharf(
            Core core,
            PrometheusMeterRegistry meters,
            WharfServer server,
            AdminServer admin,
            AsyncAccessLog accessLog,
            Prewarming prewarming,
            Guard guard) {
        this.core = core;
        this.meters = meters;
        this.server = server;
        this.admin = admin;
        this.accessLog = accessLog;
        this.prewarming = prewarming;
        this.guard = guard;
    }

    /**
     * Opens storage and binds both listeners; never contacts an upstream. Throws {@link StartupException} saying in one
     * line what stopped it (an address in use, storage held by another process).
     */
    public static Wharf start(WharfConfig config, Clock clock) throws InterruptedException {
        return start(config, clock, PinnedImages.NONE);
    }

    /** As {@link #start(WharfConfig, Clock)}, never evicting the images {@code pins} names. */
    public static Wharf start(WharfConfig config, Clock clock, PinnedImages pins) throws InterruptedException {
        PrometheusMeterRegistry meters = meters();
        RecentTraffic traffic = new RecentTraffic(clock);
        Core core = null;
        WharfServer server = null;
        AsyncAccessLog accessLog = null;
        Prewarming prewarming = null;
        Guard guard = null;
        // Prewarm starts after the core; until then nothing is pinned by it.
        AtomicReference<PrewarmPins> prewarmed = new AtomicReference<>(digest -> false);
        InetSocketAddress listen =
                new InetSocketAddress(config.listen().host(), config.listen().port());
        InetSocketAddress adminListen = new InetSocketAddress(
                config.adminListen().host(), config.adminListen().port());
        try {
            try {
                core = Core.open(
                        config,
                        clock,
                        meters,
                        digest -> pins.pinned(digest) || prewarmed.get().pinned(digest));
            } catch (RuntimeException e) {
                throw StartupException.storage(config.storage().path(), e);
            }
            accessLog = accessLog(config.accessLog(), meters);
            try {
                guard = Guard.of(config);
            } catch (IllegalArgumentException e) {
                throw StartupException.tls(e);
            }
            try {
                server = WharfServer.start(
                        listen,
                        host -> config.findUpstream(host).map(UpstreamConfig::name),
                        config.defaultUpstream(),
                        core.pull(),
                        core.storage(),
                        new RequestMetrics(
                                meters,
                                config.upstreams().stream()
                                        .map(UpstreamConfig::name)
                                        .toList(),
                                traffic),
                        accessLog == null ? AccessLog.OFF : accessLog,
                        guard.forServer(config),
                        config.limits());
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) { // Netty rethrows a failed bind's IOException unchecked
                throw StartupException.listen("registry API", listen, e);
            }
            NettyMemoryGauge.register(meters, server.allocator());
            FillsGauge.register(meters, core.pull()::fillsInFlight, core.pull()::fillJoins);
            prewarming = Prewarming.start(config, core.pull(), clock, meters);
            prewarmed.set(prewarming.pins());
            AdminServer admin;
            try {
                admin = AdminServer.start(
                        adminListen,
                        new PrewarmRoutes(prewarming.scheduler()).addTo(adminRoutes(core, meters, config, traffic)),
                        guard.gate().adminGate(meters));
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                throw StartupException.listen("admin", adminListen, e);
            }
            StartupReport.log(config, server.address(), admin.address());
            return new Wharf(core, meters, server, admin, accessLog, prewarming, guard);
        } catch (RuntimeException | InterruptedException e) {
            if (prewarming != null) {
                prewarming.close();
            }
            if (server != null) {
                server.close();
            }
            if (accessLog != null) {
                accessLog.close();
            }
            if (guard != null) {
                guard.close();
            }
            if (core != null) {
                core.close();
            }
            meters.close();
            throw e;
        }
    }

    /** Where the {@code /v2/} listener is bound. */
    public InetSocketAddress address() {
        return server.address();
    }

    /** Where the TLS listener of the registry API is bound; empty without one. */
    public Optional<InetSocketAddress> tlsAddress() {
        return server.tlsAddress();
    }

    /** The certificate Wharf made for itself (for {@code tls.selfSigned}); empty when it reads certificate files. */
    public Optional<X509Certificate> selfSignedCertificate() {
        return guard.ssl().flatMap(ServerSsl::selfSignedCertificate);
    }

    /** Where the admin listener ({@code /metrics}, {@code /healthz}) is bound. */
    public InetSocketAddress adminAddress() {
        return admin.address();
    }

    /** The admin listener's endpoints; each added in one line. */
    private static AdminRoutes adminRoutes(
            Core core, PrometheusMeterRegistry meters, WharfConfig config, RecentTraffic traffic) {
        Map<String, String> upstreams = new LinkedHashMap<>();
        for (UpstreamConfig upstream : config.upstreams()) {
            URI url = upstream.url();
            upstreams.put(
                    upstream.name(),
                    url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort()));
        }
        AdminRoutes routes = new AdminRoutes()
                .get("/", new StatusPage(meters, core.evictor(), upstreams, traffic).endpoint())
                .get("/stats", StatsEndpoint.of(traffic))
                .get("/upstreams", UpstreamsEndpoint.of(meters, upstreams))
                .getOpen("/metrics", AdminEndpoints.metrics(meters::scrape))
                .getOpen("/healthz", AdminEndpoints.health())
                .getOpen("/readyz", AdminEndpoints.readiness(core.readiness(), core.storage()));
        new CacheEndpoints(core.evictor()).addTo(routes);
        return routes;
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

    @Override
    public void close() {
        admin.close();
        server.close();
        guard.close();
        if (accessLog != null) {
            accessLog.close();
        }
        prewarming.close();
        core.close();
        meters.close();
    }
}
