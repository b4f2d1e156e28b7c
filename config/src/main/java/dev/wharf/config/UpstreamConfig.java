package dev.wharf.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One upstream registry: the host clients name it by ({@code name}, plus {@code aliases}), where Wharf reaches it
 * ({@code url}, no trailing slash), optional credentials, realm hosts allowed beyond its own domain, timeouts, and
 * how Wharf treats it ({@code policy}). {@code readTimeout} bounds the wait for a blob's response headers and for
 * each blob body read; {@code manifestTimeout} bounds the same for manifest, tag list and token requests.
 * {@link #toString()} never shows the password or token.
 */
public record UpstreamConfig(
        String name,
        URI url,
        List<String> aliases,
        Optional<String> username,
        Optional<String> password,
        Optional<String> token,
        List<String> authRealmHosts,
        Duration connectTimeout,
        Duration readTimeout,
        Duration manifestTimeout,
        UpstreamPolicy policy) {

    public UpstreamConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(url, "url");
        aliases = List.copyOf(aliases);
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(token, "token");
        authRealmHosts = List.copyOf(authRealmHosts);
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(readTimeout, "readTimeout");
        Objects.requireNonNull(manifestTimeout, "manifestTimeout");
        Objects.requireNonNull(policy, "policy");
        if (name.isBlank()) {
            throw new IllegalArgumentException("upstream name must not be blank");
        }
    }

    /** An anonymous upstream with no realm hosts and the default timeouts and policy. */
    public static UpstreamConfig anonymous(String name, URI url, List<String> aliases) {
        return new UpstreamConfig(
                name,
                url,
                aliases,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                List.of(),
                Defaults.CONNECT_TIMEOUT,
                Defaults.READ_TIMEOUT,
                Defaults.MANIFEST_TIMEOUT,
                UpstreamPolicy.DEFAULT);
    }

    /** True when {@code host} equals the name or an alias, ignoring case. */
    public boolean answersTo(String host) {
        return name.equalsIgnoreCase(host) || aliases.stream().anyMatch(host::equalsIgnoreCase);
    }

    /** Like the record's default, with {@code ***} in place of a password or token. */
    @Override
    public String toString() {
        return "UpstreamConfig[name=" + name + ", url=" + url + ", aliases=" + aliases + ", username="
                + username.orElse("<none>") + ", password=" + redacted(password) + ", token=" + redacted(token)
                + ", authRealmHosts=" + authRealmHosts + ", connectTimeout=" + connectTimeout + ", readTimeout="
                + readTimeout + ", manifestTimeout=" + manifestTimeout + ", policy=" + policy + "]";
    }

    private static String redacted(Optional<String> secret) {
        return secret.isPresent() ? "***" : "<none>";
    }
}
