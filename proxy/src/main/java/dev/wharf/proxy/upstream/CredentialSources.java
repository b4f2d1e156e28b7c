package dev.wharf.proxy.upstream;

import dev.wharf.config.RepositoryCredentials;
import dev.wharf.config.Secret;
import dev.wharf.config.UpstreamConfig;
import dev.wharf.config.UpstreamCredentials;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/** Makes the {@link CredentialSource} an upstream's configuration names. */
public final class CredentialSources {
    private CredentialSources() {}

    /**
     * The source for upstream {@code name} reached at {@code url} (also known as {@code aliases}): files are watched,
     * helpers run with their configured lifetime and timeout on {@code clock}.
     */
    public static CredentialSource of(
            UpstreamCredentials credentials, String name, URI url, List<String> aliases, Clock clock) {
        // Java 17 has no pattern switch: one instanceof per case of the sealed type, in its declared order.
        if (credentials instanceof UpstreamCredentials.Basic basic) {
            return secret(name, basic.password(), "passwordFile", pw -> new Login.Basic(basic.username(), pw));
        }
        if (credentials instanceof UpstreamCredentials.Bearer bearer) {
            return secret(name, bearer.token(), "tokenFile", Login.Bearer::new);
        }
        if (credentials instanceof UpstreamCredentials.DockerConfig docker) {
            return new DockerConfigCredentials(
                    name,
                    new WatchedFile(docker.file(), 1024 * 1024),
                    hosts(name, url, aliases),
                    docker.helpers(),
                    clock);
        }
        if (credentials instanceof UpstreamCredentials.Helper helper) {
            boolean hub = hosts(name, url, aliases).stream().anyMatch(DockerConfigCredentials::isDockerHub);
            return new HelperCredentials(
                    name,
                    helper.name(),
                    hub ? DockerConfigCredentials.DOCKER_HUB_SERVER : authority(url),
                    helper.settings().searchPath(),
                    helper.settings().ttl(),
                    helper.settings().timeout(),
                    clock);
        }
        if (credentials instanceof UpstreamCredentials.Ecr ecr) {
            return new RefreshingCredentials(new EcrIssuer(name, ecr), clock);
        }
        if (credentials instanceof UpstreamCredentials.Gcp gcp) {
            return new RefreshingCredentials(new GcpIssuer(name, gcp), clock);
        }
        return CredentialSource.fixed(Optional.empty(), "anonymous");
    }

    /**
     * The sources of {@code upstream}: one per {@code repositoryCredentials} entry, in order, then its own. Each is
     * logged (never a secret) on {@code log}.
     */
    public static CredentialRoutes routes(UpstreamConfig upstream, Clock clock, Consumer<String> log) {
        List<CredentialRoutes.Route> routes = new ArrayList<>();
        for (RepositoryCredentials scoped : upstream.repositoryCredentials()) {
            CredentialSource source =
                    of(scoped.credentials(), upstream.name(), upstream.url(), upstream.aliases(), clock);
            log.accept("upstream " + upstream.name() + ": repositories " + String.join(", ", scoped.repositories())
                    + " use credentials from " + source.describe());
            routes.add(new CredentialRoutes.Route(scoped::matches, source));
        }
        CredentialSource own = of(upstream.credentials(), upstream.name(), upstream.url(), upstream.aliases(), clock);
        log.accept("upstream " + upstream.name() + ": " + (routes.isEmpty() ? "" : "other repositories use ")
                + "credentials from " + own.describe());
        return new CredentialRoutes(routes, own);
    }

    private static CredentialSource secret(
            String upstream, Secret secret, String fileKey, Function<String, Login> login) {
        if (secret instanceof Secret.InFile file) {
            return new SecretFileCredentials(upstream, fileKey, SecretFileCredentials.watch(file.path()), login);
        }
        return CredentialSource.fixed(
                Optional.of(login.apply(((Secret.Inline) secret).value())), fileKey.replace("File", ""));
    }

    /** The upstream's {@code host[:port]} forms: where it is reached first, then its name and aliases. */
    static List<String> hosts(String name, URI url, List<String> aliases) {
        List<String> hosts = new ArrayList<>();
        hosts.add(authority(url));
        hosts.add(name.toLowerCase(Locale.ROOT));
        aliases.forEach(alias -> hosts.add(alias.toLowerCase(Locale.ROOT)));
        return hosts.stream().distinct().toList();
    }

    private static String authority(URI url) {
        return url.getRawAuthority().toLowerCase(Locale.ROOT);
    }

    /** A failure to obtain credentials: {@code CREDENTIALS}, never retried, with a message free of secrets. */
    static UpstreamException failure(String upstream, String what) {
        return new UpstreamException(
                UpstreamException.Kind.CREDENTIALS, 0, "upstream " + upstream + ": credentials from " + what);
    }
}
