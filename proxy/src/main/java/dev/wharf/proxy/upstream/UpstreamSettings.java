package dev.wharf.proxy.upstream;

import dev.wharf.config.Defaults;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach one upstream registry. {@code baseUrl} is the registry root ({@code https://host[:port]}, no path,
 * query or user info). Credentials are either {@code username}+{@code password} (Basic, also sent to the token
 * realm) or a static bearer {@code token}. {@code authRealmHosts} allow-lists token realm hosts ({@code host} or
 * {@code host:port}) beyond the upstream's own host and registrable domain. {@code readTimeout} bounds the wait for a
 * blob's response headers and each blob body read; {@code manifestTimeout} bounds the same for manifest, tag list and
 * token requests, so that they fail long before a blob would. {@link #toString()} never shows secrets.
 */
public record UpstreamSettings(
        String name,
        URI baseUrl,
        Optional<String> username,
        Optional<String> password,
        Optional<String> token,
        List<String> authRealmHosts,
        Duration connectTimeout,
        Duration readTimeout,
        Duration manifestTimeout) {
    /** The manifest timeout when none is given: 10 s, or the read timeout when that is shorter. */
    public static final Duration DEFAULT_MANIFEST_TIMEOUT = Defaults.MANIFEST_TIMEOUT;

    public UpstreamSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(readTimeout, "readTimeout");
        Objects.requireNonNull(manifestTimeout, "manifestTimeout");
        if (name.isBlank()) {
            throw new IllegalArgumentException("upstream name must not be blank");
        }
        String scheme = baseUrl.getScheme() == null ? "" : baseUrl.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new IllegalArgumentException("upstream " + name + ": base URL must be http or https");
        }
        if (baseUrl.getHost() == null || baseUrl.getRawUserInfo() != null || baseUrl.getRawQuery() != null) {
            throw new IllegalArgumentException(
                    "upstream " + name + ": base URL needs a host and no user info or query");
        }
        String path = baseUrl.getRawPath();
        if (path != null && !path.isEmpty() && !path.equals("/")) {
            throw new IllegalArgumentException("upstream " + name + ": base URL must not have a path");
        }
        if (username.isPresent() != password.isPresent()) {
            throw new IllegalArgumentException("upstream " + name + ": username and password go together");
        }
        if (token.isPresent() && username.isPresent()) {
            throw new IllegalArgumentException("upstream " + name + ": configure a token or a username, not both");
        }
        if (connectTimeout.isNegative()
                || connectTimeout.isZero()
                || readTimeout.isNegative()
                || readTimeout.isZero()
                || manifestTimeout.isNegative()
                || manifestTimeout.isZero()) {
            throw new IllegalArgumentException("upstream " + name + ": timeouts must be positive");
        }
        authRealmHosts = List.copyOf(authRealmHosts);
    }

    /**
     * Settings with the default manifest timeout: {@link #DEFAULT_MANIFEST_TIMEOUT}, or {@code readTimeout} when that
     * is shorter. Throws {@link IllegalArgumentException} as the canonical constructor does.
     */
    public UpstreamSettings(
            String name,
            URI baseUrl,
            Optional<String> username,
            Optional<String> password,
            Optional<String> token,
            List<String> authRealmHosts,
            Duration connectTimeout,
            Duration readTimeout) {
        this(
                name,
                baseUrl,
                username,
                password,
                token,
                authRealmHosts,
                connectTimeout,
                readTimeout,
                readTimeout != null && readTimeout.compareTo(DEFAULT_MANIFEST_TIMEOUT) < 0
                        ? readTimeout
                        : DEFAULT_MANIFEST_TIMEOUT);
    }

    /** Anonymous settings with default timeouts (10 s connect, 60 s read, 10 s manifest). */
    public static UpstreamSettings anonymous(String name, URI baseUrl) {
        return new UpstreamSettings(
                name,
                baseUrl,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                List.of(),
                Duration.ofSeconds(10),
                Duration.ofSeconds(60),
                DEFAULT_MANIFEST_TIMEOUT);
    }

    /** True when Basic credentials are configured. */
    public boolean hasBasicCredentials() {
        return username.isPresent() && password.isPresent();
    }

    @Override
    public String toString() {
        return "UpstreamSettings[name=" + name
                + ", baseUrl=" + baseUrl
                + ", username=" + username.map(u -> "<set>").orElse("<none>")
                + ", password=" + password.map(p -> "<redacted>").orElse("<none>")
                + ", token=" + token.map(t -> "<redacted>").orElse("<none>")
                + ", authRealmHosts=" + authRealmHosts
                + ", connectTimeout=" + connectTimeout
                + ", readTimeout=" + readTimeout
                + ", manifestTimeout=" + manifestTimeout + "]";
    }
}
