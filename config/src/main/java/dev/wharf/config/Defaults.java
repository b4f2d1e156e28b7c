package dev.wharf.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The built-in values used for every key a configuration leaves out. */
final class Defaults {
    static final HostPort LISTEN = new HostPort("0.0.0.0", 5000);
    static final HostPort ADMIN_LISTEN = new HostPort("127.0.0.1", 5001);
    static final String STORAGE_PATH = "wharf-data";
    static final String DEFAULT_UPSTREAM = "docker.io";
    static final String DOCKER_HUB = "docker.io";
    static final List<String> DOCKER_HUB_ALIASES = List.of("index.docker.io", "registry-1.docker.io");
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration READ_TIMEOUT = Duration.ofSeconds(60);
    static final Duration MANIFEST_TIMEOUT = Duration.ofSeconds(10);
    static final List<FreshnessRule> FRESHNESS = List.of(new FreshnessRule("*", Duration.ofSeconds(60)));
    static final Duration MAX_STALE = Duration.ofDays(7);
    private static final List<String> PUBLIC_REGISTRIES =
            List.of("ghcr.io", "quay.io", "registry.k8s.io", "gcr.io", "public.ecr.aws", "mcr.microsoft.com");

    private Defaults() {}

    /** Docker Hub first, then the other public registries, each reached at {@code https://<name>}. */
    static List<UpstreamConfig> upstreams() {
        var upstreams = new ArrayList<UpstreamConfig>();
        upstreams.add(
                UpstreamConfig.anonymous(DOCKER_HUB, URI.create("https://registry-1.docker.io"), DOCKER_HUB_ALIASES));
        for (String name : PUBLIC_REGISTRIES) {
            upstreams.add(UpstreamConfig.anonymous(name, URI.create("https://" + name), List.of()));
        }
        return List.copyOf(upstreams);
    }
}
