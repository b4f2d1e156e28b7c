package dev.wharf.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.config.Secret;
import dev.wharf.config.UpstreamCredentials;
import dev.wharf.config.UpstreamCredentials.HelperSettings;
import dev.wharf.proxy.lab.TestClock;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each credential source against real files and real helper executables, on a clock the test controls. */
class CredentialSourcesTest {
    private static final String SECRET = "S3NTINEL-source-4d2f";
    private static final URI REGISTRY = URI.create("https://registry.example:5000");

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock(Instant.parse("2030-01-01T00:00:00Z"));

    private HelperSettings helpers(Duration ttl, Duration timeout) {
        return new HelperSettings(List.of(dir.resolve("bin")), ttl, timeout);
    }

    private CredentialSource dockerConfig(String json, String name, URI url, List<String> aliases) throws IOException {
        Path file = write(dir.resolve("config.json"), json);
        return CredentialSources.of(
                new UpstreamCredentials.DockerConfig(file, helpers(Duration.ofMinutes(5), Duration.ofSeconds(5))),
                name,
                url,
                aliases,
                clock);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "registry.example:5000",
                "https://registry.example:5000",
                "https://registry.example:5000/v1/",
                "http://REGISTRY.example:5000/v2/"
            })
    void dockerConfigMatchesEveryFormDockerWritesForTheHost(String key) throws IOException {
        String json = "{\"auths\":{\"other.example\":{\"auth\":\"" + auth("x", "y") + "\"},\"" + key + "\":{\"auth\":\""
                + auth("robot", SECRET) + "\"}}}";

        CredentialSource source = dockerConfig(json, "registry.example:5000", REGISTRY, List.of());

        assertEquals(Optional.of(new Login.Basic("robot", SECRET)), source.current());
    }

    @Test
    void dockerHubEntryServesEveryNameDockerHubGoesBy() throws IOException {
        String json = "{\"auths\":{\"https://index.docker.io/v1/\":{\"username\":\"hubuser\",\"password\":\"" + SECRET
                + "\"}}}";

        CredentialSource source =
                dockerConfig(json, "docker.io", URI.create("https://registry-1.docker.io"), List.of("index.docker.io"));

        assertEquals(Optional.of(new Login.Basic("hubuser", SECRET)), source.current());
    }

    @Test
    void identityTokenWinsOverAuth() throws IOException {
        String json = "{\"auths\":{\"registry.example:5000\":{\"auth\":\"" + auth("robot", "pw")
                + "\",\"identitytoken\":\"" + SECRET + "\"}}}";

        assertEquals(
                Optional.of(new Login.IdentityToken(SECRET)),
                dockerConfig(json, "registry.example:5000", REGISTRY, List.of()).current());
    }

    @Test
    void missingEntryFailsNamingFileAndHostButNoSecret() throws IOException {
        String json = "{\"auths\":{\"other.example\":{\"auth\":\"" + auth("robot", SECRET) + "\"}}}";
        CredentialSource source = dockerConfig(json, "registry.example:5000", REGISTRY, List.of());

        UpstreamException e = assertThrows(UpstreamException.class, source::current);

        assertEquals(UpstreamException.Kind.CREDENTIALS, e.kind());
        assertEquals(
                "upstream registry.example:5000: credentials from dockerConfig " + dir.resolve("config.json")
                        + " has no auths entry for registry.example:5000",
                e.getMessage());
    }

    @Test
    void brokenJsonIsReportedWithoutItsContent() throws IOException {
        CredentialSource source =
                dockerConfig("{\"auths\": {\"" + SECRET, "registry.example:5000", REGISTRY, List.of());

        UpstreamException e = assertThrows(UpstreamException.class, source::current);

        assertTrue(e.getMessage().endsWith("is not valid JSON"), e.getMessage());
        assertFalse(e.getMessage().contains(SECRET));
    }

    @Test
    void rewrittenDockerConfigIsReadAgain() throws IOException {
        CredentialSource source = dockerConfig(
                "{\"auths\":{\"registry.example:5000\":{\"auth\":\"" + auth("robot", "old") + "\"}}}",
                "registry.example:5000",
                REGISTRY,
                List.of());
        assertEquals(Optional.of(new Login.Basic("robot", "old")), source.current());

        write(
                dir.resolve("config.json"),
                "{\"auths\":{\"registry.example:5000\":{\"auth\":\"" + auth("robot", "rotated!") + "\"}}}");

        assertEquals(Optional.of(new Login.Basic("robot", "rotated!")), source.current());
    }

    @Test
    void credsStoreRunsTheHelperWithDockerHubsServerUrl() throws IOException {
        Path asked = dir.resolve("asked");
        helper("cat > '" + asked + "'\nprintf '{\"ServerURL\":\"x\",\"Username\":\"<token>\",\"Secret\":\"" + SECRET
                + "\"}'\n");

        CredentialSource source = dockerConfig(
                "{\"credsStore\":\"lab\"}", "docker.io", URI.create("https://registry-1.docker.io"), List.of());

        assertEquals(Optional.of(new Login.IdentityToken(SECRET)), source.current());
        assertEquals("https://index.docker.io/v1/", Files.readString(asked));
    }

    @Test
    void helperAnswerIsReusedForItsTtlThenAskedAgain() throws IOException {
        Path runs = dir.resolve("runs");
        helper("echo run >> '" + runs + "'\nprintf '{\"Username\":\"robot\",\"Secret\":\"" + SECRET + "\"}'\n");
        CredentialSource source = CredentialSources.of(
                new UpstreamCredentials.Helper("lab", helpers(Duration.ofMinutes(5), Duration.ofSeconds(5))),
                "registry.example:5000",
                REGISTRY,
                List.of(),
                clock);

        assertEquals(Optional.of(new Login.Basic("robot", SECRET)), source.current());
        clock.advance(Duration.ofMinutes(4));
        source.current();
        assertEquals(1, Files.readAllLines(runs).size());

        clock.advance(Duration.ofMinutes(2));
        source.current();
        assertEquals(2, Files.readAllLines(runs).size());
    }

    @Test
    void failingHelperIsReportedWithItsOwnWordsTrimmed() throws IOException {
        helper(
                "echo 'credentials not found in native keychain'\necho \"$(printf 'x%.0s' $(seq 1 300))\" >&2\nexit 3\n");
        CredentialSource source = CredentialSources.of(
                new UpstreamCredentials.Helper("lab", helpers(Duration.ofMinutes(5), Duration.ofSeconds(5))),
                "up",
                REGISTRY,
                List.of(),
                clock);

        UpstreamException e = assertThrows(UpstreamException.class, source::current);

        assertTrue(
                e.getMessage()
                        .startsWith("upstream up: credentials from credentialHelper lab exited with 3:"
                                + " credentials not found in native keychain xxx"),
                e.getMessage());
        assertTrue(e.getMessage().length() < 300, e.getMessage());
    }

    @Test
    void helperAnswerWithoutSecretIsRefused() throws IOException {
        helper("printf '{\"Username\":\"robot\"}'\n");
        CredentialSource source = CredentialSources.of(
                new UpstreamCredentials.Helper("lab", helpers(Duration.ofMinutes(5), Duration.ofSeconds(5))),
                "up",
                REGISTRY,
                List.of(),
                clock);

        UpstreamException e = assertThrows(UpstreamException.class, source::current);

        assertEquals(
                "upstream up: credentials from credentialHelper lab answered without Username and Secret in JSON",
                e.getMessage());
    }

    @Test
    void passwordFileIsReadAgainWhenReplacedAndFailsWhenGone() throws IOException {
        Path file = write(dir.resolve("pw"), "first\n");
        CredentialSource source = CredentialSources.of(
                new UpstreamCredentials.Basic("robot", new Secret.InFile(file)), "up", REGISTRY, List.of(), clock);
        assertEquals(Optional.of(new Login.Basic("robot", "first")), source.current());

        Path next = write(dir.resolve("pw.next"), "second\n");
        Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertEquals(Optional.of(new Login.Basic("robot", "second")), source.current());

        Files.delete(file);
        UpstreamException e = assertThrows(UpstreamException.class, source::current);
        assertEquals("upstream up: credentials from passwordFile " + file + " does not exist", e.getMessage());
    }

    @Test
    void tokenFileGivesABearerToken() throws IOException {
        Path file = write(dir.resolve("token"), SECRET + "\r\n");

        CredentialSource source = CredentialSources.of(
                new UpstreamCredentials.Bearer(new Secret.InFile(file)), "up", REGISTRY, List.of(), clock);

        assertEquals(Optional.of(new Login.Bearer(SECRET)), source.current());
        assertEquals("tokenFile " + file, source.describe());
        assertFalse(source.current().toString().contains(SECRET));
    }

    private void helper(String body) throws IOException {
        Path script = write(dir.resolve("bin/docker-credential-lab"), "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static String auth(String user, String password) {
        return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static Path write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }
}
