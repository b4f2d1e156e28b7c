package dev.wharf.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The built-in values used for every key a configuration leaves out: the one place each default is written. */
public final class Defaults {
    static final HostPort LISTEN = new HostPort("0.0.0.0", 5000);
    static final HostPort ADMIN_LISTEN = new HostPort("127.0.0.1", 5001);
    static final String STORAGE_PATH = "wharf-data";
    /** How long a presigned blob URL of {@code storage.s3.redirect} stays valid. */
    /** How often the cache's size and free space are checked against {@code storage.maxSize} and {@code minFree}. */
    public static final Duration EVICTION_CHECK_EVERY = Duration.ofSeconds(30);
    /** How long the bytes of an image evicted from a shared bucket stay after its tags went: {@code evictGrace}. */
    public static final Duration EVICTION_GRACE = Duration.ofMinutes(15);
    /**
     * The life of a blob fill's lease in a shared bucket without renewal, as fills take them and as eviction reads
     * the leases it finds (a fill renews every third of it).
     */
    public static final Duration FILL_LEASE_TTL = Duration.ofSeconds(30);

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

    /** How many prewarm runs may go on at once, across all rules. */
    public static final int PREWARM_CONCURRENCY = 2;
    /** An {@code every} rule's next run is moved later by a random part of its interval up to this fraction. */
    public static final double PREWARM_JITTER = 0.1;
    /** How often {@code serve} looks for due prewarm rules and changed rule files. */
    public static final Duration PREWARM_TICK = Duration.ofSeconds(1);
    /** How long a client has to send a request's head (line and headers) once the connection waits for one. */
    public static final Duration HEADER_TIMEOUT = Duration.ofSeconds(10);
    /** How long a connection may pass no bytes either way before it is closed. */
    public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(120);
    /** Client connections open at once on the {@code /v2/} listener (lowered to fit the file-descriptor limit). */
    public static final int MAX_CONNECTIONS = 4096;
    /** Client connections open at once from one IP address. */
    public static final int MAX_CONNECTIONS_PER_ADDRESS = 256;
    /** Requests one connection may send ahead of their answers. */
    public static final int MAX_PIPELINED = 16;
    /** Streams one HTTP/2 connection may have open at once (announced in its SETTINGS). */
    public static final int HTTP2_MAX_CONCURRENT_STREAMS = 100;
    /** Stream resets one HTTP/2 connection may cause within {@link #HTTP2_RESET_WINDOW} before it is closed. */
    public static final int HTTP2_MAX_RESETS = 200;
    /** The window {@link #HTTP2_MAX_RESETS} counts in. */
    public static final Duration HTTP2_RESET_WINDOW = Duration.ofSeconds(30);

    private static final List<String> PUBLIC_REGISTRIES =
            List.of("ghcr.io", "quay.io", "registry.k8s.io", "gcr.io", "public.ecr.aws", "mcr.microsoft.com");

    /**
     * Token realms of well-known registries that live apart from the registry's own origin, by the registry's URL host:
     * Docker Hub's registry sends clients to {@code https://auth.docker.io/token}. (GHCR, Quay, GCR and public ECR
     * keep their realm on the registry's own host.)
     */
    private static final Map<String, List<String>> KNOWN_REALM_HOSTS = Map.of(
            "registry-1.docker.io", List.of("auth.docker.io:443"),
            "index.docker.io", List.of("auth.docker.io:443"));

    private Defaults() {}

    /** The {@code authRealmHosts} of an upstream at {@code url} that sets none: known realms, else none. */
    static List<String> realmHostsFor(URI url) {
        String host = url.getHost() == null ? "" : url.getHost().toLowerCase(Locale.ROOT);
        return KNOWN_REALM_HOSTS.getOrDefault(host, List.of());
    }

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
