package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrewarmFilesTest {
    @TempDir
    Path dir;

    @Test
    void eachFileIsJudgedAloneAndNamesItsProblems() throws IOException {
        Files.writeString(
                dir.resolve("a.yaml"),
                "- {name: redis, upstream: docker.io, repository: redis, tags: [7], cron: '0 3 * * *'}\n"
                        + "- {upstream: docker.io, repository: nginx, tags: {semver: ~1.27}, every: 1h}\n");
        Files.writeString(
                dir.resolve("b.yaml"),
                "name: bad\nupstream: docker.io\nrepository: x\ntags: {semver: one}\nonce: true\n");
        Files.writeString(
                dir.resolve("c.yaml"), "name: main-rule\nupstream: docker.io\nrepository: y\ntags: [1]\nonce: true\n");
        Files.writeString(dir.resolve("d.yaml"), "[unclosed\n");
        Files.writeString(dir.resolve("ignored.yml"), "not: read\n");
        WharfConfig config = ConfigLoader.parse(
                "prewarmDir: " + dir
                        + "\nprewarm:\n  - {name: main-rule, upstream: docker.io, repository: z, tags: [1],"
                        + " once: true}\n",
                Map.of(),
                dir);

        List<PrewarmFiles.FileRules> files = PrewarmFiles.read(config, Map.of());

        assertEquals(4, files.size());
        assertEquals(
                List.of("redis", "docker.io/library/nginx"),
                files.get(0).rules().stream().map(PrewarmRule::name).toList());
        assertEquals(
                List.of(dir.resolve("b.yaml") + ": tags.semver: \"one\" (expected: semver range like ~1.27, ^1.2,"
                        + " >=1.2 <2, 1.2.x)"),
                files.get(1).problems());
        assertEquals(
                List.of(dir.resolve("c.yaml") + ": name: \"main-rule\" (expected: a name no other prewarm rule has)"),
                files.get(2).problems());
        assertEquals(1, files.get(3).problems().size());
        assertEquals(true, files.get(3).problems().get(0).startsWith(dir.resolve("d.yaml") + ": line 2"));
    }
}
