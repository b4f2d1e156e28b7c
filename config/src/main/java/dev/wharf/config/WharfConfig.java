package dev.wharf.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole configuration, immutable, with defaults already applied. {@code defaultUpstream} is the canonical name
 * of one of {@code upstreams}; {@code freshness} rules apply first match first; {@code offline} means no upstream is ever dialled;
 * {@code accessLog} says where one line per answered request goes.
 */
public record WharfConfig(
        HostPort listen,
        HostPort adminListen,
        StorageConfig storage,
        String defaultUpstream,
        List<UpstreamConfig> upstreams,
        List<FreshnessRule> freshness,
        Duration maxStale,
        boolean offline,
        List<PrewarmRule> prewarm,
        AccessLogConfig accessLog) {

    public WharfConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(adminListen, "adminListen");
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(defaultUpstream, "defaultUpstream");
        upstreams = List.copyOf(upstreams);
        freshness = List.copyOf(freshness);
        Objects.requireNonNull(maxStale, "maxStale");
        prewarm = List.copyOf(prewarm);
        Objects.requireNonNull(accessLog, "accessLog");
        if (maxStale.isNegative()) {
            throw new IllegalArgumentException("maxStale must not be negative");
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
