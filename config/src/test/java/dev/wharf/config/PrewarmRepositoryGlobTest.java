package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrewarmRepositoryGlobTest {
    private static PrewarmRule rule(String repository) {
        String yaml = "upstreams:\n  - {name: r.example, url: https://r.example}\nprewarm:\n"
                + "  - {upstream: r.example, repository: '" + repository + "', tags: [latest], once: true}\n";
        return ConfigLoader.parse(yaml, Map.of(), Path.of("/etc/wharf"))
                .prewarm()
                .get(0);
    }

    @Test
    void aGlobSelectsTheRepositoriesItMatchesWithStarSpanningSlashes() {
        PrewarmRule team = rule("team/*");

        assertTrue(team.repositoryIsGlob());
        assertEquals("r.example/team/*", team.name());
        List<String> catalog = List.of("team/a", "team/b", "team/sub/c", "other/c", "team", "teams/x", "xteam/a");
        assertEquals(
                List.of("team/a", "team/b", "team/sub/c"),
                catalog.stream().filter(team::selectsRepository).toList());
        assertEquals(
                List.of("team/sub/c", "other/c"),
                catalog.stream().filter(rule("*/c")::selectsRepository).toList());
        assertEquals(
                List.of("team/a", "team/b"),
                catalog.stream().filter(rule("team/?")::selectsRepository).toList());
    }

    @Test
    void anExactRepositorySelectsOnlyItself() {
        PrewarmRule exact = rule("team/app");

        assertFalse(exact.repositoryIsGlob());
        assertTrue(exact.selectsRepository("team/app"));
        assertFalse(exact.selectsRepository("team/app2"));
    }
}
