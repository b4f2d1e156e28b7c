package dev.wharf.config;

import java.util.List;
import java.util.Objects;

/**
 * The credential source for an upstream's repositories that match one of {@code repositories}: globs over the
 * repository path as the upstream names it ({@code myorg/*}, {@code library/nginx} on Docker Hub), where {@code *}
 * spans {@code /}. Anonymous access is a source too, for a public part of an upstream whose other repositories need a
 * login.
 */
public record RepositoryCredentials(List<String> repositories, UpstreamCredentials credentials) {
    public RepositoryCredentials {
        repositories = List.copyOf(repositories);
        Objects.requireNonNull(credentials, "credentials");
        if (repositories.isEmpty()) {
            throw new IllegalArgumentException("repositories must not be empty");
        }
    }

    /** True when {@code repository} matches one of the globs. */
    public boolean matches(String repository) {
        return repositories.stream().anyMatch(glob -> Glob.matches(glob, repository));
    }

    /** For logs and {@code config check}: {@code myorg/* from passwordFile /run/secrets/pw}; never a secret. */
    public String describe() {
        return String.join(", ", repositories) + " from " + credentials.describe();
    }
}
