package dev.wharf.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.wharf.config.UpstreamCredentials;
import dev.wharf.proxy.lab.FakeEcr;
import dev.wharf.proxy.lab.GoogleTokenEndpoint;
import dev.wharf.proxy.lab.TestClock;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CloudCredentialsTest {
    private static final String ACCESS_KEY = "AKIAWHARFLAB0000TEST";
    private static final String SECRET_KEY = "S3NTINEL-aws-secret-key-0a1b";
    private static final String PASSWORD = "S3NTINEL-ecr-password-9c8d";
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final URI URL = URI.create("https://123456789012.dkr.ecr.us-east-1.amazonaws.com");

    @TempDir
    Path dir;

    @BeforeEach
    void staticAwsCredentials() {
        // The SDK's default chain reads these system properties before the environment.
        System.setProperty("aws.accessKeyId", ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", SECRET_KEY);
    }

    @AfterEach
    void clearAwsCredentials() {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
    }

    private static CredentialSource source(UpstreamCredentials credentials, Clock clock) {
        return CredentialSources.of(credentials, "registry.example", URL, List.of(), clock);
    }

    private static UpstreamCredentials.Ecr ecr(URI endpoint, Optional<String> registryId, Duration timeout) {
        return new UpstreamCredentials.Ecr("us-east-1", Optional.empty(), registryId, Optional.of(endpoint), timeout);
    }

    @Test
    void refreshAheadIsATenthOfTheLifetimeAtMostHalfAnHour() {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        assertEquals(
                t0.plus(Duration.ofMinutes(690)), RefreshingCredentials.refreshAt(t0, t0.plus(Duration.ofHours(12))));
        assertEquals(
                t0.plus(Duration.ofMinutes(54)), RefreshingCredentials.refreshAt(t0, t0.plus(Duration.ofHours(1))));
        assertEquals(t0.plusSeconds(9), RefreshingCredentials.refreshAt(t0, t0.plusSeconds(10)));
    }

    @Test
    void ecrTokenIsDecodedSignedForAndReusedUntilRefreshTime() {
        TestClock clock = new TestClock(Instant.now());
        try (FakeEcr fake = FakeEcr.start(PASSWORD, Duration.ofHours(12))) {
            CredentialSource source = source(ecr(fake.url(), Optional.of("210987654321"), TIMEOUT), clock);

            assertEquals(Optional.of(new Login.Basic("AWS", PASSWORD)), source.current());
            clock.advance(Duration.ofHours(11));
            assertEquals(Optional.of(new Login.Basic("AWS", PASSWORD)), source.current());
            assertEquals(1, fake.calls(), "reused while valid");

            fake.answer("second", Duration.ofHours(12));
            clock.advance(Duration.ofMinutes(31));
            assertEquals(Optional.of(new Login.Basic("AWS", "second")), source.current());
            assertEquals(2, fake.calls(), "fetched again 30 minutes before expiry");

            String authorization = fake.authorizations().get(0);
            assertTrue(authorization.startsWith("AWS4-HMAC-SHA256 Credential=" + ACCESS_KEY + "/"), authorization);
            assertTrue(authorization.contains("/us-east-1/ecr/aws4_request"), authorization);
            assertFalse(authorization.contains(SECRET_KEY));
            assertTrue(
                    fake.bodies().get(0).contains("\"registryIds\":[\"210987654321\"]"),
                    fake.bodies().get(0));
            assertEquals("ecr us-east-1", source.describe());
        }
    }

    @Test
    void ecrRefusalIsUnauthorizedNamingTheErrorCodeWithoutSecrets() {
        UpstreamException e = assertThrows(
                UpstreamException.class,
                () -> source(ecr(refusing(), Optional.empty(), TIMEOUT), Clock.systemUTC())
                        .current());

        assertEquals(UpstreamException.Kind.CREDENTIALS, e.kind());
        assertEquals(
                "upstream registry.example: credentials from ecr us-east-1: GetAuthorizationToken answered 403"
                        + " AccessDeniedException",
                e.getMessage());
    }

    private URI refusing() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", exchange -> {
                byte[] body = "{\"__type\":\"AccessDeniedException\",\"message\":\"denied\"}"
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
                exchange.sendResponseHeaders(403, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            servers.add(server);
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private final List<HttpServer> servers = new java.util.ArrayList<>();

    @AfterEach
    void stopServers() {
        servers.forEach(server -> server.stop(0));
    }

    @Test
    void hungEcrFailsWithinItsTimeout() throws IOException {
        CountDownLatch release = new CountDownLatch(1);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        server.start();
        servers.add(server);
        try {
            URI endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
            CredentialSource source =
                    source(ecr(endpoint, Optional.empty(), Duration.ofMillis(500)), Clock.systemUTC());

            long start = System.nanoTime();
            UpstreamException e = assertThrows(UpstreamException.class, source::current);
            long millis = (System.nanoTime() - start) / 1_000_000;

            assertEquals(UpstreamException.Kind.CREDENTIALS, e.kind());
            assertTrue(millis < 3_000, "failed after " + millis + " ms");
        } finally {
            release.countDown();
        }
    }

    @Test
    void ecrAssumesTheRoleThroughStsAndSignsWithTheRolesKeys() throws IOException {
        List<String> stsBodies = new java.util.concurrent.CopyOnWriteArrayList<>();
        HttpServer sts = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        sts.createContext("/", exchange -> {
            stsBodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] body = ("<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>"
                            + "<Credentials><AccessKeyId>ASIAWHARFROLE0000001</AccessKeyId>"
                            + "<SecretAccessKey>S3NTINEL-role-secret</SecretAccessKey>"
                            + "<SessionToken>S3NTINEL-role-session</SessionToken>"
                            + "<Expiration>" + Instant.now().plus(Duration.ofHours(1)) + "</Expiration></Credentials>"
                            + "<AssumedRoleUser><AssumedRoleId>AROAWHARF:wharf</AssumedRoleId>"
                            + "<Arn>arn:aws:sts::123456789012:assumed-role/puller/wharf</Arn></AssumedRoleUser>"
                            + "</AssumeRoleResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata>"
                            + "</AssumeRoleResponse>")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/xml");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        sts.start();
        servers.add(sts);
        // The SDK's per-service endpoint setting: STS here, ECR through the ecr.endpoint key.
        System.setProperty(
                "aws.endpointUrlSts", "http://127.0.0.1:" + sts.getAddress().getPort());
        try (FakeEcr fake = FakeEcr.start(PASSWORD, Duration.ofHours(12))) {
            UpstreamCredentials.Ecr settings = new UpstreamCredentials.Ecr(
                    "us-east-1",
                    Optional.of("arn:aws:iam::123456789012:role/puller"),
                    Optional.empty(),
                    Optional.of(fake.url()),
                    TIMEOUT);

            assertEquals(
                    Optional.of(new Login.Basic("AWS", PASSWORD)),
                    source(settings, Clock.systemUTC()).current());

            assertEquals(1, stsBodies.size());
            assertTrue(stsBodies.get(0).contains("Action=AssumeRole"), stsBodies.get(0));
            assertTrue(
                    stsBodies.get(0).contains("RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fpuller"),
                    stsBodies.get(0));
            String authorization = fake.authorizations().get(0);
            assertTrue(authorization.startsWith("AWS4-HMAC-SHA256 Credential=ASIAWHARFROLE0000001/"), authorization);
        } finally {
            System.clearProperty("aws.endpointUrlSts");
        }
    }

    @Test
    void failedRefreshKeepsTheValidTokenThenFailsOnceExpired() {
        TestClock clock = new TestClock(Instant.now());
        try (FakeEcr fake = FakeEcr.start(PASSWORD, Duration.ofHours(1))) {
            CredentialSource source = source(ecr(fake.url(), Optional.empty(), TIMEOUT), clock);
            source.current();
            fake.refuse();

            clock.advance(Duration.ofMinutes(57));
            assertEquals(Optional.of(new Login.Basic("AWS", PASSWORD)), source.current(), "still valid: kept");
            clock.advance(Duration.ofMinutes(4));
            assertEquals(
                    UpstreamException.Kind.CREDENTIALS,
                    assertThrows(UpstreamException.class, source::current).kind());
        }
    }

    @Test
    void gcpKeyIsExchangedForATokenWithTheCloudPlatformScopeAndARotatedKeyIsUsed() throws IOException {
        TestClock clock = new TestClock(Instant.now());
        try (GoogleTokenEndpoint google = GoogleTokenEndpoint.start("S3NTINEL-gcp-token-1", Duration.ofHours(1))) {
            Path key = Files.writeString(dir.resolve("key.json"), google.newServiceAccountKey("wharf@lab.iam", "k1"));
            CredentialSource source = source(new UpstreamCredentials.Gcp(Optional.of(key), TIMEOUT), clock);

            assertEquals(
                    Optional.of(new Login.Basic("oauth2accesstoken", "S3NTINEL-gcp-token-1")),
                    assertDoesNotThrow(source::current, () -> "refused: " + google.refused()));
            clock.advance(Duration.ofMinutes(50));
            source.current();
            assertEquals(List.of("k1"), google.signers(), "reused while valid");
            assertEquals(List.of("https://www.googleapis.com/auth/cloud-platform"), google.scopes());

            google.answer("S3NTINEL-gcp-token-2", Duration.ofHours(1));
            clock.advance(Duration.ofMinutes(5));
            assertEquals(Optional.of(new Login.Basic("oauth2accesstoken", "S3NTINEL-gcp-token-2")), source.current());

            Path next = Files.writeString(dir.resolve("key.next"), google.newServiceAccountKey("wharf@lab.iam", "k2"));
            Files.move(next, key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            google.answer("S3NTINEL-gcp-token-3", Duration.ofHours(1));
            assertEquals(Optional.of(new Login.Basic("oauth2accesstoken", "S3NTINEL-gcp-token-3")), source.current());
            assertEquals(List.of("k1", "k1", "k2"), google.signers());
        }
    }

    @Test
    void gcpRefusedGrantIsUnauthorizedNamingOnlyTheStatus() throws IOException {
        try (GoogleTokenEndpoint google = GoogleTokenEndpoint.start("t", Duration.ofHours(1))) {
            // A key the endpoint never made: its grant is refused.
            String foreign;
            try (GoogleTokenEndpoint other = GoogleTokenEndpoint.start("t", Duration.ofHours(1))) {
                foreign = other.newServiceAccountKey("x@lab.iam", "kx")
                        .replace(other.tokenUri().toString(), google.tokenUri().toString());
            }
            Path key = Files.writeString(dir.resolve("key.json"), foreign);
            CredentialSource source = source(new UpstreamCredentials.Gcp(Optional.of(key), TIMEOUT), Clock.systemUTC());

            UpstreamException e = assertThrows(UpstreamException.class, source::current);

            assertEquals(UpstreamException.Kind.CREDENTIALS, e.kind());
            assertEquals(
                    "upstream registry.example: credentials from gcp keyFile " + key
                            + ": the token endpoint answered 400",
                    e.getMessage());
        }
    }
}
