package dev.wharf.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which tags a prewarm rule pulls: the {@code exact} tags, or those matching a {@code semver} range, an
 * {@code include} regex and not an {@code exclude} regex; pre-releases only when {@code prerelease}; then only the
 * {@code newest} N ({@code 0}: no limit). The regexes are known to compile.
 */
public record TagSelector(
        List<String> exact,
        Optional<String> semver,
        Optional<String> include,
        Optional<String> exclude,
        boolean prerelease,
        int newest) {

    public TagSelector {
        exact = List.copyOf(exact);
        Objects.requireNonNull(semver, "semver");
        Objects.requireNonNull(include, "include");
        Objects.requireNonNull(exclude, "exclude");
        include.ifPresent(Pattern::compile);
        exclude.ifPresent(Pattern::compile);
        if (newest < 0) {
            throw new IllegalArgumentException("newest must not be negative");
        }
    }

    /** A selector of exactly these tags. */
    public static TagSelector exactly(List<String> tags) {
        return new TagSelector(tags, Optional.empty(), Optional.empty(), Optional.empty(), false, 0);
    }
}
