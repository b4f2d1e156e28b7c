package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepositoryCredentialsConfigTest {
    private static final String SENTINEL = "S3NTINEL-scoped-4d2e";

    @TempDir
    Path dir;

    private WharfConfig parse(String upstreamKeys) {
        return ConfigLoader.parse(
                "defaultUpstream: registry.example\nupstreams:\n  - name: registry.example\n"
                        + "    url: https://registry.example\n" + upstreamKeys,
                Map.of(),
                dir);
    }

    private List<String> problems(String upstreamKeys) {
        return assertThrows(ConfigException.class, () -> parse(upstreamKeys)).problems();
    }

    @Test
    void entriesAreReadInOrderWithTheirOwnSourceAndTheUpstreamKeepsItsOwn() throws IOException {
        Files.writeString(dir.resolve("robot"), SENTINEL);

        UpstreamConfig upstream = parse("    token: " + SENTINEL + "\n"
                        + "    repositoryCredentials:\n"
                        + "      - repositories: [myorg/*, shared/app]\n"
                        + "        username: robot\n"
                        + "        passwordFile: robot\n"
                        + "      - repositories: [library/*]\n")
                .upstreams()
                .get(0);

        assertEquals(2, upstream.repositoryCredentials().size());
        RepositoryCredentials robot = upstream.repositoryCredentials().get(0);
        assertEquals(
                new UpstreamCredentials.Basic("robot", new Secret.InFile(dir.resolve("robot"))), robot.credentials());
        assertEquals("myorg/*, shared/app from passwordFile " + dir.resolve("robot"), robot.describe());
        assertEquals(
                UpstreamCredentials.ANONYMOUS,
                upstream.repositoryCredentials().get(1).credentials());
        assertEquals("token", upstream.credentials().describe());
        assertFalse(upstream.toString().contains(SENTINEL), upstream.toString());
    }

    @Test
    void globsMatchTheWholeRepositoryPathWithStarsSpanningSlashes() {
        RepositoryCredentials scoped =
                new RepositoryCredentials(List.of("myorg/*", "library/nginx"), UpstreamCredentials.ANONYMOUS);

        assertTrue(scoped.matches("myorg/app"));
        assertTrue(scoped.matches("myorg/team/app"));
        assertTrue(scoped.matches("library/nginx"));
        assertFalse(scoped.matches("myorganisation/app"));
        assertFalse(scoped.matches("library/nginx-unprivileged"));
        assertFalse(scoped.matches("other/myorg/app"));
    }

    @Test
    void badEntriesAreReportedWithTheirPaths() {
        assertEquals(
                List.of("upstreams[0].repositoryCredentials[0].repositories: missing or empty"
                        + " (expected: a list of repository globs like myorg/*)"),
                problems("    repositoryCredentials:\n      - username: robot\n        password: x\n"));
        assertEquals(
                List.of("upstreams[0].repositoryCredentials[0].repositories[0]: \"My Org/*\""
                        + " (expected: a repository glob like myorg/* or library/nginx)"),
                problems("    repositoryCredentials:\n      - repositories: [\"My Org/*\"]\n"));
        assertEquals(
                List.of("upstreams[0].repositoryCredentials[0]: token and tokenFile set together"
                        + " (expected: at most one of password, passwordFile, token, tokenFile, dockerConfig,"
                        + " credentialHelper, ecr, gcp)"),
                problems("    repositoryCredentials:\n      - repositories: [a/*]\n        token: " + SENTINEL
                        + "\n        tokenFile: t\n"));
        assertEquals(
                List.of("upstreams[0].repositoryCredentials[0].url: unknown key"),
                problems("    repositoryCredentials:\n      - repositories: [a/*]\n        url: https://x\n"));
        assertEquals(
                List.of("upstreams[0].repositoryCredentials: a mapping"
                        + " (expected: a list of mappings, each with repositories and a credential source)"),
                problems("    repositoryCredentials:\n      repositories: [a/*]\n"));
    }
}
