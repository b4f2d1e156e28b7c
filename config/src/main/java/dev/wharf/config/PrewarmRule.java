package dev.wharf.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Images to pull ahead of demand: the canonical {@code upstream} name, a {@code repository} within it (Docker Hub
 * single names already carry {@code library/}), the tags, the platforms ({@code os/arch[/variant]}; empty means every
 * platform the image lists) and the positive interval between runs.
 */
public record PrewarmRule(
        String upstream, String repository, TagSelector tags, List<String> platforms, Duration every) {

    public PrewarmRule {
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(tags, "tags");
        platforms = List.copyOf(platforms);
        if (every == null || every.isNegative() || every.isZero()) {
            throw new IllegalArgumentException("every must be positive");
        }
    }
}
