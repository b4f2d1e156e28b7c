package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialConfigTest {
    private static final String SENTINEL = "S3NTINEL-cred-91ab";

    @TempDir
    Path dir;

    private Path bin;
    private Map<String, String> env;

    @BeforeEach
    void helperOnPath() throws IOException {
        bin = Files.createDirectories(dir.resolve("bin"));
        Path helper = bin.resolve("docker-credential-lab");
        Files.writeString(helper, "#!/bin/sh\necho '{}'\n");
        Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwxr-xr-x"));
        env = Map.of("PATH", "/nonexistent:" + bin);
    }

    private WharfConfig parse(String upstreamKeys) {
        return ConfigLoader.parse(upstream(upstreamKeys), env, dir);
    }

    private static String upstream(String keys) {
        return "defaultUpstream: registry.example\nupstreams:\n  - name: registry.example\n    url: https://registry.example\n"
                + keys;
    }

    private List<String> problems(String upstreamKeys) {
        return assertThrows(ConfigException.class, () -> parse(upstreamKeys)).problems();
    }

    private UpstreamCredentials credentials(String upstreamKeys) {
        return parse(upstreamKeys).upstreams().get(0).credentials();
    }

    @Test
    void tokenFileIsKeptAsAFileResolvedAgainstTheBaseDir() throws IOException {
        Files.writeString(dir.resolve("token"), SENTINEL + "\n");

        UpstreamCredentials credentials = credentials("    tokenFile: token\n");

        assertEquals(new UpstreamCredentials.Bearer(new Secret.InFile(dir.resolve("token"))), credentials);
        assertEquals("tokenFile " + dir.resolve("token"), credentials.describe());
    }

    @Test
    void dockerConfigTakesTheDefaultHelperSettingsAndThePath() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{\"auths\": {}}");

        UpstreamCredentials credentials = credentials("    dockerConfig: config.json\n");

        assertEquals(
                new UpstreamCredentials.DockerConfig(
                        dir.resolve("config.json"),
                        new UpstreamCredentials.HelperSettings(
                                List.of(Path.of("/nonexistent"), bin),
                                Defaults.CREDENTIAL_TTL,
                                Defaults.CREDENTIAL_HELPER_TIMEOUT)),
                credentials);
    }

    @Test
    void credentialHelperWithTtlAndTimeout() {
        UpstreamCredentials credentials =
                credentials("    credentialHelper: lab\n    credentialTtl: 90s\n    credentialHelperTimeout: 500ms\n");

        assertEquals(
                new UpstreamCredentials.Helper(
                        "lab",
                        new UpstreamCredentials.HelperSettings(
                                List.of(Path.of("/nonexistent"), bin), Duration.ofSeconds(90), Duration.ofMillis(500))),
                credentials);
        assertEquals("credentialHelper lab", credentials.describe());
    }

    @Test
    void credentialTtlZeroMeansAskTheHelperEveryTime() {
        UpstreamCredentials.Helper helper =
                (UpstreamCredentials.Helper) credentials("    credentialHelper: lab\n    credentialTtl: 0s\n");

        assertEquals(Duration.ZERO, helper.settings().ttl());
    }

    @Test
    void noCredentialsIsAnonymous() {
        assertEquals(UpstreamCredentials.ANONYMOUS, credentials(""));
        assertEquals("anonymous", UpstreamCredentials.ANONYMOUS.describe());
    }

    @Test
    void reportsMissingEmptyAndUnreadableFilesWithTheirPaths() throws IOException {
        Files.writeString(dir.resolve("empty"), "\n");
        Files.createDirectories(dir.resolve("folder"));
        String yaml = "defaultUpstream: a.example\nupstreams:\n"
                + "  - {name: a.example, url: 'https://a.example', tokenFile: missing}\n"
                + "  - {name: b.example, url: 'https://b.example', tokenFile: empty}\n"
                + "  - {name: c.example, url: 'https://c.example', dockerConfig: folder}\n"
                + "  - {name: d.example, url: 'https://d.example', dockerConfig: missing.json}\n"
                + "  - {name: e.example, url: 'https://e.example', tokenFile: ''}\n";

        List<String> problems = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, env, dir))
                .problems();

        assertEquals(
                List.of(
                        "upstreams[0].tokenFile: \"" + dir.resolve("missing")
                                + "\" does not exist (expected: a readable file holding the token)",
                        "upstreams[1].tokenFile: \"" + dir.resolve("empty")
                                + "\" is empty (expected: a readable file holding the token)",
                        "upstreams[2].dockerConfig: \"" + dir.resolve("folder")
                                + "\" is not a file (expected: a readable Docker config.json or dockerconfigjson"
                                + " Secret)",
                        "upstreams[3].dockerConfig: \"" + dir.resolve("missing.json")
                                + "\" does not exist (expected: a readable Docker config.json or dockerconfigjson"
                                + " Secret)",
                        "upstreams[4].tokenFile: empty (expected: a readable file holding the token)"),
                problems);
    }

    @Test
    void reportsADockerConfigThatIsNotJsonWithoutShowingIt() throws IOException {
        Files.writeString(dir.resolve("broken.json"), "{\"auths\": {\"x\": {\"auth\": \"" + SENTINEL + "\"");
        Files.writeString(dir.resolve("list.json"), "[\"" + SENTINEL + "\"]");
        String yaml = "defaultUpstream: a.example\nupstreams:\n"
                + "  - {name: a.example, url: 'https://a.example', dockerConfig: broken.json}\n"
                + "  - {name: b.example, url: 'https://b.example', dockerConfig: list.json}\n";

        List<String> problems = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, env, dir))
                .problems();

        String expected = " (expected: a readable Docker config.json or dockerconfigjson Secret)";
        assertEquals(
                List.of(
                        "upstreams[0].dockerConfig: \"" + dir.resolve("broken.json") + "\" is not valid JSON"
                                + expected,
                        "upstreams[1].dockerConfig: \"" + dir.resolve("list.json") + "\" is not a JSON object"
                                + expected),
                problems);
        assertFalse(problems.toString().contains(SENTINEL));
    }

    @Test
    void reportsAHelperNotOnThePathAndABadHelperName() {
        assertEquals(
                List.of("upstreams[0].credentialHelper: docker-credential-absent not found on PATH"
                        + " (expected: an executable docker-credential-absent in a PATH directory)"),
                problems("    credentialHelper: absent\n"));
        assertEquals(
                List.of("upstreams[0].credentialHelper: \"../lab\""
                        + " (expected: a helper name like ecr-login, run as docker-credential-NAME)"),
                problems("    credentialHelper: ../lab\n"));
    }

    @Test
    void reportsBadHelperDurationsAndHelperSettingsWithoutAHelper() {
        assertEquals(
                List.of(
                        "upstreams[0].credentialTtl: \"soon\" (expected: duration like 30s, 5m, 6h, 7d)",
                        "upstreams[0].credentialHelperTimeout: \"0s\""
                                + " (expected: positive duration like 500ms, 10s, 5m)"),
                problems("    credentialHelper: lab\n    credentialTtl: soon\n    credentialHelperTimeout: 0s\n"));
        assertEquals(
                List.of(
                        "upstreams[0].credentialTtl: set without credentialHelper or dockerConfig"
                                + " (expected: credentialHelper with credentialTtl)",
                        "upstreams[0].credentialHelperTimeout: set without credentialHelper or dockerConfig"
                                + " (expected: credentialHelper with credentialHelperTimeout)"),
                problems("    token: t\n    credentialTtl: 1m\n    credentialHelperTimeout: 1s\n"));
    }

    @Test
    void reportsTwoSourcesTogether() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{}");

        assertEquals(
                List.of("upstreams[0]: dockerConfig and credentialHelper set together"
                        + " (expected: at most one of password, passwordFile, token, tokenFile, dockerConfig,"
                        + " credentialHelper, ecr, gcp)"),
                problems("    dockerConfig: config.json\n    credentialHelper: lab\n"));
        assertEquals(
                List.of("upstreams[0]: token and tokenFile set together"
                        + " (expected: at most one of password, passwordFile, token, tokenFile, dockerConfig,"
                        + " credentialHelper, ecr, gcp)"),
                problems("    token: t\n    tokenFile: config.json\n"));
    }

    @Test
    void describeNeverShowsAnInlineSecret() {
        UpstreamCredentials basic = credentials("    username: robot\n    password: " + SENTINEL + "\n");

        assertEquals("password", basic.describe());
        assertFalse(basic.toString().contains(SENTINEL), basic.toString());
        assertFalse(parse("    token: " + SENTINEL + "\n").toString().contains(SENTINEL));
    }
}
