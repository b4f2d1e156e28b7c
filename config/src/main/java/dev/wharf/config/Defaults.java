package dev.wharf.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The built-in values used for every key a configuration leaves out: the one place each default is written. */
public final class Defaults {
    static final HostPort LISTEN = new HostPort("0.0.0.0", 5000);
    static final HostPort ADMIN_LISTEN = new HostPort("127.0.0.1", 5001);
    static final String STORAGE_PATH = "wharf-data";
    /** How long a presigned blob URL of {@code storage.s3.redirect} stays valid. */
    /** How often the cache's size and free space are checked against {@code storage.maxSize} and {@code minFree}. */
    public static final Duration EVICTION_CHECK_EVERY = Duration.ofSeconds(30);

    static final Duration S3_REDIRECT_TTL = Duration.ofMinutes(10);
    /** Docker Hub's canonical upstream name, whose single-segment repositories get {@code library/}. */
    public static final String DOCKER_HUB = "docker.io";

    static final String DEFAULT_UPSTREAM = DOCKER_HUB;
    static final List<String> DOCKER_HUB_ALIASES = List.of("index.docker.io", "registry-1.docker.io");
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration READ_TIMEOUT = Duration.ofSeconds(60);
    /** How long an upstream has to answer a manifest, tag list or token request (headers and each body read). */
    public static final Duration MANIFEST_TIMEOUT = Duration.ofSeconds(10);
    /** How long a credential helper's answer is reused before the helper runs again. */
    public static final Duration CREDENTIAL_TTL = Duration.ofMinutes(5);
    /** How long a credential helper may run before it is killed and the request fails. */
    public static final Duration CREDENTIAL_HELPER_TIMEOUT = Duration.ofSeconds(10);
    /** How long an {@code ecr} or {@code gcp} token request may take before the request that needed it fails. */
    public static final Duration CLOUD_CREDENTIAL_TIMEOUT = CREDENTIAL_HELPER_TIMEOUT;
    /** How long a tag is trusted when no freshness rule matches it. */
    public static final Duration TAG_TTL = Duration.ofSeconds(60);

    static final List<FreshnessRule> FRESHNESS = List.of(new FreshnessRule("*", TAG_TTL));
    /** How long a tag's last manifest is served while its upstream fails. */
    public static final Duration MAX_STALE = Duration.ofDays(7);
    /** How long a client waits for a due tag re-check before the cached manifest is served stale. */
    public static final Duration RECHECK_DEADLINE = Duration.ofSeconds(2);

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
