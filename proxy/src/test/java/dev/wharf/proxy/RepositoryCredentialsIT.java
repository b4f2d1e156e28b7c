package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.lab.CapturedLogs;
import dev.wharf.proxy.lab.Credentials;
import dev.wharf.proxy.lab.ImageFormat;
import dev.wharf.proxy.lab.ImageSeeder;
import dev.wharf.proxy.lab.RegistryProcess;
import dev.wharf.proxy.lab.RunningWharf;
import dev.wharf.proxy.lab.SeededImage;
import dev.wharf.proxy.lab.TokenServer;
import dev.wharf.proxy.lab.WharfPull;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One upstream, the real registry behind token auth that scopes tokens per repository (as Docker Hub and GHCR do): a
 * robot account may pull {@code team/*} only, anyone may pull {@code public/*}, another account {@code partner/*}.
 * Wharf reaches each repository with the credentials its glob names.
 */
class RepositoryCredentialsIT {
    private static final String UPSTREAM = "scoped.test";
    private static final Credentials ADMIN = new Credentials("admin", "S3NTINEL-admin-1");
    private static final Credentials ROBOT = new Credentials("robot", "S3NTINEL-robot-2");
    private static final Credentials PARTNER = new Credentials("partner", "S3NTINEL-partner-3");

    @TempDir
    Path dir;

    private TokenServer tokens;
    private RegistryProcess registry;
    private CapturedLogs logs;
    private SeededImage team;
    private SeededImage open;
    private SeededImage partner;

    @BeforeEach
    void seed() {
        logs = CapturedLogs.start();
        tokens = TokenServer.granting(
                ADMIN,
                List.of(
                        new TokenServer.Grant(Optional.of(ROBOT), name -> name.startsWith("team/")),
                        new TokenServer.Grant(Optional.of(PARTNER), name -> name.startsWith("partner/")),
                        new TokenServer.Grant(Optional.empty(), name -> name.startsWith("public/"))));
        registry = RegistryProcess.token(tokens);
        ImageSeeder seeder = ImageSeeder.of(registry);
        team = seeder.seedImage("team/app", List.of("1"), ImageFormat.OCI, "amd64", 2);
        open = seeder.seedImage("public/tool", List.of("1"), ImageFormat.OCI, "amd64", 1);
        partner = seeder.seedImage("partner/lib", List.of("1"), ImageFormat.DOCKER, "amd64", 1);
    }

    @AfterEach
    void stop() {
        registry.close();
        tokens.close();
        logs.close();
        for (String line : logs.lines()) {
            assertFalse(line.contains("S3NTINEL"), "a secret was logged: " + line);
        }
    }

    @Test
    void eachRepositoryIsReachedWithTheCredentialsItsGlobNames() throws Exception {
        Path robot = Files.writeString(dir.resolve("robot"), ROBOT.password());
        Path partnerPassword = Files.writeString(dir.resolve("partner"), PARTNER.password());

        try (RunningWharf wharf = wharf("    repositoryCredentials:\n"
                + "      - repositories: [team/*]\n"
                + "        username: robot\n"
                + "        passwordFile: " + robot + "\n"
                + "      - repositories: [partner/lib, partner/other]\n"
                + "        username: partner\n"
                + "        passwordFile: " + partnerPassword + "\n")) {
            WharfPull.pull(wharf, UPSTREAM, team);
            WharfPull.pull(wharf, UPSTREAM, partner);
            WharfPull.pull(wharf, UPSTREAM, open);
        }
        assertTrue(
                logs.lines().stream()
                        .anyMatch(line -> line.contains("upstream " + UPSTREAM
                                + ": repositories team/* use credentials from passwordFile " + robot)),
                String.join("\n", logs.lines()));
        assertTrue(logs.lines().stream()
                .anyMatch(line ->
                        line.contains("upstream " + UPSTREAM + ": other repositories use credentials from anonymous")));
    }

    @Test
    void withoutTheScopedEntryTheTeamRepositoryIsRefusedAndTheWrongAccountIsWharfsProblem() throws Exception {
        Path partnerPassword = Files.writeString(dir.resolve("partner"), PARTNER.password());

        try (RunningWharf wharf = wharf("    repositoryCredentials:\n"
                + "      - repositories: [team/*]\n"
                + "        username: partner\n"
                + "        passwordFile: " + partnerPassword + "\n")) {
            assertEquals(403, WharfPull.manifest(wharf, UPSTREAM, partner).status(), "anonymous for partner/*");
            WharfPull.Answer wrongAccount = WharfPull.manifest(wharf, UPSTREAM, team);
            assertEquals(502, wrongAccount.status(), wrongAccount.body());
            assertTrue(wrongAccount.body().contains("refused Wharf's credentials"), wrongAccount.body());
            WharfPull.pull(wharf, UPSTREAM, open);
        }
    }

    private RunningWharf wharf(String keys) throws InterruptedException {
        return RunningWharf.start(
                "defaultUpstream: " + UPSTREAM + "\nupstreams:\n  - name: " + UPSTREAM + "\n    url: " + registry.url()
                        + "\n    authRealmHosts: [\"" + tokens.realm().getAuthority() + "\"]\n" + keys,
                dir.resolve("data"));
    }
}
