package dev.wharf.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Who may read what through one upstream: repositories matching a {@code deny} glob are refused; when {@code allow}
 * is not empty, only repositories matching one of its globs are served; when {@code users} is not empty, only those
 * authenticated users may read through the upstream. Globs are matched against the repository as the upstream names
 * it ({@code library/nginx}), {@code *} matching any run of characters including {@code /}.
 */
public record AccessRule(String upstream, List<String> allow, List<String> deny, List<String> users) {
    public AccessRule {
        Objects.requireNonNull(upstream, "upstream");
        allow = List.copyOf(allow);
        deny = List.copyOf(deny);
        users = List.copyOf(users);
    }

    /** True when {@code repository} matches no deny glob and, if there are allow globs, one of them. */
    public boolean allowsRepository(String repository) {
        if (deny.stream().anyMatch(glob -> Glob.matches(glob, repository))) {
            return false;
        }
        return allow.isEmpty() || allow.stream().anyMatch(glob -> Glob.matches(glob, repository));
    }

    /** True when the rule names no users, or {@code user} is one of them. */
    public boolean allowsUser(Optional<String> user) {
        return users.isEmpty() || user.filter(users::contains).isPresent();
    }
}
