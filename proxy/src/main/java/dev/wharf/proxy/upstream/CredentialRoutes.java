package dev.wharf.proxy.upstream;

import dev.wharf.storage.RepositoryName;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Which {@link CredentialSource} an upstream's repository is reached with: the first route whose repositories match,
 * else the upstream's own source. Registries scope tokens per repository, so one upstream may need a robot account
 * for {@code myorg/*} and anonymous access for the rest.
 */
public final class CredentialRoutes {
    /** A source for the repositories {@code repositories} accepts. */
    public record Route(Predicate<String> repositories, CredentialSource source) {
        public Route {
            Objects.requireNonNull(repositories, "repositories");
            Objects.requireNonNull(source, "source");
        }
    }

    private final List<Route> routes;
    private final CredentialSource fallback;

    public CredentialRoutes(List<Route> routes, CredentialSource fallback) {
        this.routes = List.copyOf(routes);
        this.fallback = Objects.requireNonNull(fallback, "fallback");
    }

    /** One source for every repository. */
    public static CredentialRoutes single(CredentialSource source) {
        return new CredentialRoutes(List.of(), source);
    }

    /** The upstream's own source, for what no repository routes. */
    CredentialSource fallback() {
        return fallback;
    }

    /**
     * Makes one {@code T} for each source, now, and answers which of them serves a repository: the first matching
     * route's, else the fallback's.
     */
    <T> Function<RepositoryName, T> each(Function<CredentialSource, T> make) {
        List<T> made = routes.stream().map(route -> make.apply(route.source())).toList();
        T otherwise = make.apply(fallback);
        return repository -> {
            for (int i = 0; i < routes.size(); i++) {
                if (routes.get(i).repositories().test(repository.value())) {
                    return made.get(i);
                }
            }
            return otherwise;
        };
    }
}
