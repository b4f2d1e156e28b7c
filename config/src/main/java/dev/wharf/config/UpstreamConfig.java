package dev.wharf.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One upstream registry: the host clients name it by ({@code name}, plus {@code aliases}), where Wharf reaches it
 * ({@code url}, no trailing slash), where its credentials come from (per repository glob in
 * {@code repositoryCredentials}, the first match deciding; {@code credentials} for the rest), token realm hosts
 * allowed beyond its own origin ({@code host:port}), timeouts, and
 * how Wharf treats it ({@code policy}). {@code readTimeout} bounds the wait for a blob's response headers and for
 * each blob body read; {@code manifestTimeout} bounds the same for manifest, tag list and token requests.
 * {@code tls} says how its server is trusted and which client certificate Wharf shows.
 * {@link #toString()} never shows the password or token.
 */
public record UpstreamConfig(
        String name,
        URI url,
        List<String> aliases,
        UpstreamCredentials credentials,
        List<RepositoryCredentials> repositoryCredentials,
        List<String> authRealmHosts,
        Duration connectTimeout,
        Duration readTimeout,
        Duration manifestTimeout,
        UpstreamPolicy policy,
        UpstreamTls tls) {

    public UpstreamConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(url, "url");
        aliases = List.copyOf(aliases);
        Objects.requireNonNull(credentials, "credentials");
        repositoryCredentials = List.copyOf(repositoryCredentials);
        authRealmHosts = List.copyOf(authRealmHosts);
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(readTimeout, "readTimeout");
        Objects.requireNonNull(manifestTimeout, "manifestTimeout");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(tls, "tls");
        if (name.isBlank()) {
            throw new IllegalArgumentException("upstream name must not be blank");
        }
    }

    /** An anonymous upstream with the known realm hosts of its URL, if any, and the default timeouts and policy. */
    public static UpstreamConfig anonymous(String name, URI url, List<String> aliases) {
        return new UpstreamConfig(
                name,
                url,
                aliases,
                UpstreamCredentials.ANONYMOUS,
                List.of(),
                Defaults.realmHostsFor(url),
                Defaults.CONNECT_TIMEOUT,
                Defaults.READ_TIMEOUT,
                Defaults.MANIFEST_TIMEOUT,
                UpstreamPolicy.DEFAULT,
                UpstreamTls.DEFAULT);
    }

    /** True when {@code host} equals the name or an alias, ignoring case. */
    public boolean answersTo(String host) {
        return name.equalsIgnoreCase(host) || aliases.stream().anyMatch(host::equalsIgnoreCase);
    }

    /** Like the record's default; the credentials show only their source and user name, never a secret. */
    @Override
    public String toString() {
        return "UpstreamConfig[name=" + name + ", url=" + url + ", aliases=" + aliases + ", credentials="
                + credentials + ", repositoryCredentials=" + repositoryCredentials + ", authRealmHosts="
                + authRealmHosts + ", connectTimeout=" + connectTimeout
                + ", readTimeout=" + readTimeout + ", manifestTimeout=" + manifestTimeout + ", policy=" + policy
                + ", tls=" + tls + "]";
    }
}
