package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.lab.CapturedLogs;
import dev.wharf.proxy.lab.ImageFormat;
import dev.wharf.proxy.lab.ImageSeeder;
import dev.wharf.proxy.lab.RegistryProcess;
import dev.wharf.proxy.lab.RunningWharf;
import dev.wharf.proxy.lab.Samples;
import dev.wharf.proxy.lab.Scrape;
import dev.wharf.proxy.lab.SeededImage;
import dev.wharf.proxy.lab.WharfPull;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real distribution registry behind htpasswd Basic auth, pulled through Wharf with credentials held the ways users
 * hold them: a Docker config.json, a credential helper on PATH, a password file. Rotated secrets take effect without
 * a restart; a hung helper is killed and the pull fails at once.
 */
class UpstreamCredentialsIT {
    private static final String UPSTREAM = "private.test";
    private static final String USER = "robot";
    private static final String PASSWORD = "S3NTINEL-first-5c1a";
    private static final String ROTATED = "S3NTINEL-second-77e0";

    @TempDir
    Path dir;

    private RegistryProcess registry;
    private CapturedLogs logs;
    private SeededImage first;
    private SeededImage second;

    @BeforeEach
    void seed() {
        logs = CapturedLogs.start();
        registry = RegistryProcess.basic(USER, PASSWORD);
        ImageSeeder seeder = ImageSeeder.of(registry);
        first = seeder.seedImage("team/first", List.of("1"), ImageFormat.OCI, "amd64", 2);
        second = seeder.seedImage("team/second", List.of("1"), ImageFormat.DOCKER, "amd64", 1);
    }

    @AfterEach
    void stop() {
        registry.close();
        logs.close();
        for (String line : logs.lines()) {
            assertFalse(line.contains("S3NTINEL"), "a secret was logged: " + line);
        }
    }

    private String upstream(String credentialKeys) {
        return "defaultUpstream: " + UPSTREAM + "\nupstreams:\n  - name: " + UPSTREAM + "\n    url: " + registry.url()
                + "\n" + credentialKeys;
    }

    private RunningWharf wharf(String credentialKeys) throws InterruptedException {
        return RunningWharf.start(
                upstream(credentialKeys),
                dir.resolve("data"),
                Map.of("PATH", dir.resolve("bin").toString()));
    }

    @Test
    void withoutCredentialsTheRegistryRefusesWharf() throws Exception {
        try (RunningWharf wharf = wharf("")) {
            assertEquals(403, WharfPull.manifest(wharf, UPSTREAM, first).status());
        }
    }

    @Test
    void dockerConfigAuthEntryForTheHost() throws Exception {
        Path config = write(dir.resolve("config.json"), dockerConfigWithAuth("http://" + registry.host(), PASSWORD));

        try (RunningWharf wharf = wharf("    dockerConfig: " + config + "\n")) {
            WharfPull.pull(wharf, UPSTREAM, first);
        }
    }

    @Test
    void rotatedDockerConfigSecretTakesEffectWithoutRestart() throws Exception {
        // The layout Kubernetes mounts a Secret in: the file is a link through ..data, swapped to a new folder.
        Path mount = Files.createDirectories(dir.resolve("secret"));
        Path v1 = write(mount.resolve("..v1/.dockerconfigjson"), dockerConfigWithLogin(registry.host(), PASSWORD));
        Files.createSymbolicLink(mount.resolve("..data"), v1.getParent().getFileName());
        Files.createSymbolicLink(mount.resolve(".dockerconfigjson"), Path.of("..data/.dockerconfigjson"));

        try (RunningWharf wharf = wharf("    dockerConfig: " + mount.resolve(".dockerconfigjson") + "\n")) {
            WharfPull.pull(wharf, UPSTREAM, first);

            registry.changePassword(ROTATED);
            write(mount.resolve("..v2/.dockerconfigjson"), dockerConfigWithLogin(registry.host(), ROTATED));
            Path next = Files.createSymbolicLink(mount.resolve("..data.tmp"), Path.of("..v2"));
            Files.move(
                    next, mount.resolve("..data"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

            WharfPull.pull(wharf, UPSTREAM, second);
        }
    }

    @Test
    void rotatedPasswordFileTakesEffectWithoutRestart() throws Exception {
        Path passwordFile = write(dir.resolve("password"), PASSWORD + "\n");

        try (RunningWharf wharf = wharf("    username: " + USER + "\n    passwordFile: " + passwordFile + "\n")) {
            WharfPull.pull(wharf, UPSTREAM, first);

            registry.changePassword(ROTATED);
            WharfPull.Answer refused = WharfPull.manifest(wharf, UPSTREAM, second);
            write(passwordFile, ROTATED + "\n");

            WharfPull.pull(wharf, UPSTREAM, second);
            assertEquals(
                    502, refused.status(), "the old password is Wharf's problem, not the client's: " + refused.body());
        }
    }

    @Test
    void wrongPasswordIsReportedAsWharfsCredentialsRefused() throws Exception {
        Path passwordFile = write(dir.resolve("password"), "S3NTINEL-wrong-0000\n");

        try (RunningWharf wharf = wharf("    username: " + USER + "\n    passwordFile: " + passwordFile + "\n")) {
            WharfPull.Answer answer = WharfPull.manifest(wharf, UPSTREAM, first);
            String scrape = Scrape.of(wharf);

            assertEquals(502, answer.status(), answer.body());
            assertTrue(answer.body().contains("\"code\":\"DENIED\""), answer.body());
            assertTrue(answer.body().contains("upstream " + UPSTREAM + " refused Wharf's credentials"), answer.body());
            assertFalse(answer.body().contains(passwordFile.toString()), "the source is for the log only");
            assertTrue(
                    logs.lines().stream()
                            .anyMatch(line -> line.contains("upstream " + UPSTREAM
                                    + ": refused Wharf's credentials from" + " passwordFile " + passwordFile)),
                    String.join("\n", logs.lines()));
            assertEquals(
                    1,
                    Samples.value(scrape, "wharf_upstream_credential_failures_total{upstream=\"" + UPSTREAM + "\"}"));
            assertFalse(scrape.contains("S3NTINEL"));
        }
    }

    @Test
    void refusedHelperAnswerIsRefreshedOnceAndThePullSucceeds() throws Exception {
        Path current = write(dir.resolve("current"), PASSWORD);
        Path runs = dir.resolve("runs");
        helper("cat > /dev/null\necho run >> '" + runs + "'\nprintf '{\"Username\":\"" + USER
                + "\",\"Secret\":\"%s\"}' \"$(cat '" + current + "')\"\n");

        try (RunningWharf wharf = wharf("    credentialHelper: lab\n    credentialTtl: 12h\n")) {
            WharfPull.pull(wharf, UPSTREAM, first);
            registry.changePassword(ROTATED);
            write(current, ROTATED);

            WharfPull.pull(wharf, UPSTREAM, second);

            assertEquals(
                    2, Files.readAllLines(runs).size(), "the answer kept for 12 h is asked for again once refused");
            assertEquals(
                    0,
                    Samples.value(
                            Scrape.of(wharf),
                            "wharf_upstream_credential_failures_total{upstream=\"" + UPSTREAM + "\"}"));
        }
    }

    @Test
    void credentialHelperOnPathAnswersOnceWithinItsTtl() throws Exception {
        Path asked = dir.resolve("asked");
        Path runs = dir.resolve("runs");
        helper("cat > '" + asked + "'\necho run >> '" + runs + "'\necho 'helper note' >&2\n"
                + "printf '{\"ServerURL\":\"%s\",\"Username\":\"" + USER + "\",\"Secret\":\"" + PASSWORD
                + "\"}' \"$(cat '"
                + asked + "')\"\n");

        try (RunningWharf wharf = wharf("    credentialHelper: lab\n    credentialTtl: 1h\n")) {
            WharfPull.pull(wharf, UPSTREAM, first);
            WharfPull.pull(wharf, UPSTREAM, second);
        }

        assertEquals(registry.host(), Files.readString(asked), "the helper is asked for the registry host on stdin");
        assertEquals(1, Files.readAllLines(runs).size(), "one run serves every request within the TTL");
    }

    @Test
    void dockerConfigCredHelpersEntryRunsThatHelper() throws Exception {
        helper("cat > /dev/null\nprintf '{\"Username\":\"" + USER + "\",\"Secret\":\"" + PASSWORD + "\"}'\n");
        Path config = write(
                dir.resolve("config.json"), "{\"auths\":{},\"credHelpers\":{\"" + registry.host() + "\":\"lab\"}}");

        try (RunningWharf wharf = wharf("    dockerConfig: " + config + "\n")) {
            WharfPull.pull(wharf, UPSTREAM, first);
        }
    }

    @Test
    void hungHelperIsKilledAndThePullFailsWithoutShowingSecrets() throws Exception {
        Path pid = dir.resolve("pid");
        helper("echo $$ > '" + pid + "'\nexec sleep 60\n");

        try (RunningWharf wharf = wharf("    credentialHelper: lab\n    credentialHelperTimeout: 500ms\n")) {
            long start = System.nanoTime();
            WharfPull.Answer answer = WharfPull.manifest(wharf, UPSTREAM, first);
            long millis = (System.nanoTime() - start) / 1_000_000;

            assertEquals(502, answer.status(), answer.body());
            assertTrue(
                    answer.body().contains("Wharf could not obtain its credentials for upstream " + UPSTREAM),
                    answer.body());
            assertTrue(millis < 5_000, "failed after " + millis + " ms");
            Optional<ProcessHandle> helper =
                    ProcessHandle.of(Long.parseLong(Files.readString(pid).strip()));
            assertFalse(helper.map(ProcessHandle::isAlive).orElse(false), "the hung helper was killed");
            assertTrue(
                    logs.lines().stream()
                            .anyMatch(
                                    line -> line.contains("credentials from credentialHelper lab did not answer within"
                                            + " 500 ms and was killed")),
                    String.join("\n", logs.lines()));
        }
    }

    private void helper(String body) throws IOException {
        Path script = write(dir.resolve("bin/docker-credential-lab"), "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static String dockerConfigWithAuth(String key, String password) {
        String auth = Base64.getEncoder().encodeToString((USER + ":" + password).getBytes(StandardCharsets.UTF_8));
        return "{\"auths\":{\"ghcr.io\":{\"auth\":\"eDp5\"},\"" + key + "\":{\"auth\":\"" + auth + "\"}}}";
    }

    private static String dockerConfigWithLogin(String key, String password) {
        return "{\"auths\":{\"" + key + "\":{\"username\":\"" + USER + "\",\"password\":\"" + password + "\"}}}";
    }

    private static Path write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }
}
