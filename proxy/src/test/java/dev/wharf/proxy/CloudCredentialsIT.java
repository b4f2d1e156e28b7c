package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.lab.CapturedLogs;
import dev.wharf.proxy.lab.FakeEcr;
import dev.wharf.proxy.lab.GoogleTokenEndpoint;
import dev.wharf.proxy.lab.ImageFormat;
import dev.wharf.proxy.lab.ImageSeeder;
import dev.wharf.proxy.lab.RegistryProcess;
import dev.wharf.proxy.lab.RunningWharf;
import dev.wharf.proxy.lab.SeededImage;
import dev.wharf.proxy.lab.TestClock;
import dev.wharf.proxy.lab.WharfPull;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real distribution registry behind htpasswd, pulled through Wharf with cloud credentials: an ECR token from a
 * local fake of ECR's API (signed by the AWS SDK with static keys), and a Google access token from a local token
 * endpoint that checks the service-account key's signature. Tokens are reused while valid and fetched again after
 * they expire (Wharf's clock is moved); a rotated key file takes effect; no secret is logged.
 */
class CloudCredentialsIT {
    private static final String UPSTREAM = "private.test";
    private static final String ACCESS_KEY = "AKIAWHARFLAB0000TEST";
    private static final String SECRET_KEY = "S3NTINEL-aws-secret-key-5e6f";

    @TempDir
    Path dir;

    private RegistryProcess registry;
    private CapturedLogs logs;
    private final List<SeededImage> images = new ArrayList<>();

    @BeforeEach
    void credentials() {
        logs = CapturedLogs.start();
        // The SDK's default chain reads these system properties first (the environment cannot be set in process).
        System.setProperty("aws.accessKeyId", ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", SECRET_KEY);
    }

    @AfterEach
    void stop() {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
        if (registry != null) {
            registry.close();
        }
        logs.close();
        for (String line : logs.lines()) {
            assertFalse(line.contains("S3NTINEL"), "a secret was logged: " + line);
        }
    }

    private void seed(String user, String password, int count) {
        registry = RegistryProcess.basic(user, password);
        ImageSeeder seeder = ImageSeeder.of(registry);
        for (int i = 0; i < count; i++) {
            images.add(seeder.seedImage("team/app" + i, List.of("1"), ImageFormat.OCI, "amd64", 1));
        }
    }

    private String upstream(String credentialKeys) {
        return "defaultUpstream: " + UPSTREAM + "\nupstreams:\n  - name: " + UPSTREAM + "\n    url: " + registry.url()
                + "\n" + credentialKeys;
    }

    @Test
    void ecrTokenIsFetchedOnceWhileValidAndAgainAfterItExpires() throws Exception {
        String first = "S3NTINEL-ecr-first-1a2b";
        String second = "S3NTINEL-ecr-second-3c4d";
        seed("AWS", first, 3);
        TestClock clock = new TestClock(Instant.now());
        try (FakeEcr ecr = FakeEcr.start(first, Duration.ofHours(12));
                RunningWharf wharf = RunningWharf.start(
                        upstream("    ecr:\n      region: us-east-1\n      endpoint: " + ecr.url() + "\n"),
                        dir.resolve("data"),
                        clock)) {
            WharfPull.pull(wharf, UPSTREAM, images.get(0));
            WharfPull.pull(wharf, UPSTREAM, images.get(1));
            assertEquals(1, ecr.calls(), "one token serves every pull while it is valid");

            registry.changePassword(second);
            // The fake dates tokens by the real clock, which Wharf's is ahead of now: this one expires in its 12th
            // hour.
            ecr.answer(second, Duration.ofHours(24));
            clock.advance(Duration.ofHours(12).plusMinutes(1));
            WharfPull.pull(wharf, UPSTREAM, images.get(2));
            assertEquals(2, ecr.calls(), "an expired token is fetched again");

            for (String authorization : ecr.authorizations()) {
                assertTrue(
                        authorization.startsWith("AWS4-HMAC-SHA256 Credential=" + ACCESS_KEY + "/"),
                        "SigV4-signed: " + authorization);
                assertTrue(authorization.contains("/us-east-1/ecr/aws4_request"), authorization);
            }
        }
        assertTrue(
                logs.lines().stream().anyMatch(line -> line.contains("credentials from ecr us-east-1")),
                "the source is named at start-up");
    }

    @Test
    void refusedEcrCallFailsThePullAsWharfsCredentials() throws Exception {
        seed("AWS", "S3NTINEL-ecr-unused-0000", 1);
        try (FakeEcr ecr = FakeEcr.start("S3NTINEL-ecr-unused-0000", Duration.ofHours(12));
                RunningWharf wharf = RunningWharf.start(
                        upstream("    ecr: {region: us-east-1, endpoint: '" + ecr.url() + "'}\n"),
                        dir.resolve("data"))) {
            ecr.refuse();

            WharfPull.Answer answer = WharfPull.manifest(wharf, UPSTREAM, images.get(0));

            assertEquals(502, answer.status(), answer.body());
            assertTrue(
                    answer.body().contains("Wharf could not obtain its credentials for upstream " + UPSTREAM),
                    answer.body());
            assertTrue(
                    logs.lines().stream()
                            .anyMatch(line ->
                                    line.contains("credentials from ecr us-east-1: GetAuthorizationToken answered 403"
                                            + " AccessDeniedException")),
                    String.join("\n", logs.lines()));
        }
    }

    @Test
    void gcpServiceAccountKeyIsExchangedRefreshedAndRotated() throws Exception {
        String first = "S3NTINEL-gcp-first-5a6b";
        String second = "S3NTINEL-gcp-second-7c8d";
        String third = "S3NTINEL-gcp-third-9e0f";
        seed("oauth2accesstoken", first, 4);
        TestClock clock = new TestClock(Instant.now());
        try (GoogleTokenEndpoint google = GoogleTokenEndpoint.start(first, Duration.ofHours(1))) {
            Path key = Files.writeString(dir.resolve("key.json"), google.newServiceAccountKey("puller@lab.iam", "k1"));
            try (RunningWharf wharf =
                    RunningWharf.start(upstream("    gcp: {keyFile: " + key + "}\n"), dir.resolve("data"), clock)) {
                WharfPull.pull(wharf, UPSTREAM, images.get(0));
                WharfPull.pull(wharf, UPSTREAM, images.get(1));
                assertEquals(List.of("k1"), google.signers(), "one token serves every pull while it is valid");

                registry.changePassword(second);
                // Expiry is dated by the real clock, which Wharf's is ahead of now: this one ends in its 2nd hour.
                google.answer(second, Duration.ofHours(3));
                clock.advance(Duration.ofMinutes(61));
                WharfPull.pull(wharf, UPSTREAM, images.get(2));
                assertEquals(List.of("k1", "k1"), google.signers(), "an expired token is fetched again");

                Path next =
                        Files.writeString(dir.resolve("key.next"), google.newServiceAccountKey("puller@lab.iam", "k2"));
                Files.move(next, key, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                registry.changePassword(third);
                google.answer(third, Duration.ofHours(3));
                WharfPull.pull(wharf, UPSTREAM, images.get(3));
                assertEquals(List.of("k1", "k1", "k2"), google.signers(), "the rotated key signs the next grant");
                assertEquals(
                        List.of("https://www.googleapis.com/auth/cloud-platform"),
                        google.scopes().stream().distinct().toList());
            }
        }
    }
}
