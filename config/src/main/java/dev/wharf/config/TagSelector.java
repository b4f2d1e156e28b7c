package dev.wharf.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which tags a prewarm rule pulls: the {@code exact} tags or digests (nothing else is looked at), or the listed tags
 * matching an {@code include} regex, not an {@code exclude} regex, whose version is in the {@code semver} range, with
 * pre-releases only when {@code prerelease}; then only the {@code newest} N ({@code 0}: no limit). The version is the
 * {@code include} regex's group named {@code version} when it has one, else the whole tag.
 */
public record TagSelector(
        List<String> exact,
        Optional<SemverRange> semver,
        Optional<Pattern> include,
        Optional<Pattern> exclude,
        boolean prerelease,
        int newest) {

    public TagSelector {
        exact = List.copyOf(exact);
        Objects.requireNonNull(semver, "semver");
        Objects.requireNonNull(include, "include");
        Objects.requireNonNull(exclude, "exclude");
        if (newest < 0) {
            throw new IllegalArgumentException("newest must not be negative");
        }
    }

    /** A selector of exactly these tags or digests. */
    public static TagSelector exactly(List<String> tags) {
        return new TagSelector(tags, Optional.empty(), Optional.empty(), Optional.empty(), false, 0);
    }

    /** True when the {@code include} regex names a group {@code version}. */
    public boolean hasVersionGroup() {
        return include.map(p -> p.pattern().contains("(?<version>")).orElse(false);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TagSelector t
                && exact.equals(t.exact)
                && semver.equals(t.semver)
                && include.map(Pattern::pattern).equals(t.include.map(Pattern::pattern))
                && exclude.map(Pattern::pattern).equals(t.exclude.map(Pattern::pattern))
                && prerelease == t.prerelease
                && newest == t.newest;
    }

    @Override
    public int hashCode() {
        return Objects.hash(exact, semver, include.map(Pattern::pattern), prerelease, newest);
    }
}
