package dev.wharf.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole configuration, immutable, with defaults already applied. {@code defaultUpstream} is the canonical name
 * of one of {@code upstreams}; {@code freshness} rules apply first match first; {@code maxStale} bounds how long a
 * tag is served while its upstream fails, and {@code recheckDeadline} how long a client waits for a due re-check
 * before the cached manifest is served stale; {@code offline} means no upstream is ever dialled;
 * {@code prewarm} rules come with more from the {@code *.yaml} files of {@code prewarmDir} ({@link PrewarmFiles});
 * {@code accessLog} says where one line per answered request goes; {@code security} says how the registry API is
 * served safely (TLS, client authentication, access rules); {@code limits} bound what clients may hold of the
 * listener.
 */
public record WharfConfig(
        HostPort listen,
        HostPort adminListen,
        StorageConfig storage,
        String defaultUpstream,
        List<UpstreamConfig> upstreams,
        List<FreshnessRule> freshness,
        Duration maxStale,
        Duration recheckDeadline,
        boolean offline,
        List<PrewarmRule> prewarm,
        Optional<Path> prewarmDir,
        AccessLogConfig accessLog,
        Security security,
        ServerLimits limits) {

    public WharfConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(adminListen, "adminListen");
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(defaultUpstream, "defaultUpstream");
        upstreams = List.copyOf(upstreams);
        freshness = List.copyOf(freshness);
        Objects.requireNonNull(maxStale, "maxStale");
        Objects.requireNonNull(recheckDeadline, "recheckDeadline");
        prewarm = List.copyOf(prewarm);
        Objects.requireNonNull(prewarmDir, "prewarmDir");
        Objects.requireNonNull(accessLog, "accessLog");
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(limits, "limits");
        if (maxStale.isNegative()) {
            throw new IllegalArgumentException("maxStale must not be negative");
        }
        if (recheckDeadline.isNegative()) {
            throw new IllegalArgumentException("recheckDeadline must not be negative");
        }
        String wanted = defaultUpstream;
        if (upstreams.stream().noneMatch(upstream -> upstream.name().equals(wanted))) {
            throw new IllegalArgumentException("defaultUpstream must be the name of a configured upstream");
        }
    }

    /** The upstream whose name or an alias equals {@code nameOrAlias} ignoring case; empty when none does. */
    public Optional<UpstreamConfig> findUpstream(String nameOrAlias) {
        return upstreams.stream()
                .filter(upstream -> upstream.answersTo(nameOrAlias))
                .findFirst();
    }

    /** True when Wharf must never dial {@code upstream}: everything is offline, or that upstream is. */
    public boolean isOffline(UpstreamConfig upstream) {
        return offline || upstream.policy().offline();
    }

    /** The upstream that root requests (Docker's {@code registry-mirrors}) reach. */
    public UpstreamConfig defaultUpstreamConfig() {
        return findUpstream(defaultUpstream).orElseThrow();
    }
}
