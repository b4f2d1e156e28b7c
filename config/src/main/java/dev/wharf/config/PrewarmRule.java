package dev.wharf.config;

import java.util.List;
import java.util.Objects;

/**
 * Images to pull ahead of demand: a unique {@code name}, the canonical {@code upstream} name, a {@code repository}
 * within it (Docker Hub single names already carry {@code library/}) or a glob of repositories ({@code *} spans
 * {@code /}, {@code ?} is one character), the tags, the platforms ({@code
 * os/arch[/variant]}; empty means every platform the image lists), whether {@code referrers} were asked for, and when
 * it runs.
 */
public record PrewarmRule(
        String name,
        String upstream,
        String repository,
        TagSelector tags,
        List<String> platforms,
        boolean referrers,
        PrewarmSchedule schedule) {

    public PrewarmRule {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(tags, "tags");
        platforms = List.copyOf(platforms);
        Objects.requireNonNull(schedule, "schedule");
    }

    /** True when {@code repository} is a glob, selecting the repositories of the upstream's catalog it matches. */
    public boolean repositoryIsGlob() {
        return repository.indexOf('*') >= 0 || repository.indexOf('?') >= 0;
    }

    /** True when the rule selects {@code name}: equal to its repository, or matched by its glob. */
    public boolean selectsRepository(String name) {
        return Glob.matches(repository, name);
    }

    /** The name a rule without {@code name} gets: {@code upstream/repository}. */
    public static String defaultName(String upstream, String repository) {
        return upstream + "/" + repository;
    }
}
