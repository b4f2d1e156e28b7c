package dev.wharf.proxy.upstream;

import static dev.wharf.proxy.upstream.RegistryClientTest.MANIFEST;
import static dev.wharf.proxy.upstream.RegistryClientTest.MANIFEST_PATH;
import static dev.wharf.proxy.upstream.RegistryClientTest.REPO;
import static dev.wharf.proxy.upstream.RegistryClientTest.manifest;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wharf.proxy.lab.TestClock;
import dev.wharf.proxy.upstream.FakeUpstream.Request;
import dev.wharf.proxy.upstream.FakeUpstream.Response;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RegistryClientAuthTest {
    static final String USER = "puller";
    static final String PASSWORD = "S3NT1NEL-password";
    static final String BASIC =
            "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    static final String TOKEN_PATH = "/token";

    private FakeUpstream upstream;
    private final TestClock clock = new TestClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final AtomicInteger issued = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        upstream = FakeUpstream.start();
    }

    @AfterEach
    void stop() {
        upstream.close();
    }

    static UpstreamSettings settings(
            URI base, Optional<String> user, Optional<String> password, Optional<String> token) {
        return new UpstreamSettings(
                "hub", base, user, password, token, List.of(), Duration.ofSeconds(5), Duration.ofSeconds(5));
    }

    private RegistryClient client(UpstreamSettings settings) {
        return new RegistryClient(settings, RegistryClient.newHttpClient(settings), clock, TestWatchdog.SHARED);
    }

    private RegistryClient withCredentials() {
        return client(settings(upstream.uri(), Optional.of(USER), Optional.of(PASSWORD), Optional.empty()));
    }

    /** A registry that wants Basic credentials on every request. */
    private Response basicRegistry(Request r) {
        if (!r.header("Authorization").equals(Optional.of(BASIC))) {
            return Response.of(401, Map.of("WWW-Authenticate", "Basic realm=\"Registry Realm\""));
        }
        return manifest(MANIFEST);
    }

    /** A registry with a token endpoint on the same host; tokens are "tok-N" and live {@code lifetime} seconds. */
    private Response bearerRegistry(Request r, String realm, long lifetime) {
        if (r.path().equals(TOKEN_PATH)) {
            String body = "{\"token\":\"tok-" + issued.incrementAndGet() + "\",\"expires_in\":" + lifetime + "}";
            return Response.of(200, Map.of("Content-Type", "application/json"), body.getBytes(StandardCharsets.UTF_8));
        }
        String expected = "Bearer tok-" + issued.get();
        if (issued.get() == 0 || !r.header("Authorization").equals(Optional.of(expected))) {
            return Response.of(
                    401,
                    Map.of(
                            "WWW-Authenticate",
                            "Bearer realm=\"" + realm + "\",service=\"registry.test\","
                                    + "scope=\"repository:library/alpine:pull\""));
        }
        return manifest(MANIFEST);
    }

    @Test
    void basicChallengeIsAnsweredAndRememberedForLaterRequests() {
        upstream.answer(this::basicRegistry);
        RegistryClient client = withCredentials();

        assertArrayEquals(MANIFEST, client.fetchManifest(REPO, "latest").body());
        assertEquals(2, upstream.requests().size());
        assertEquals(Optional.empty(), upstream.requests().get(0).header("Authorization"));

        assertArrayEquals(MANIFEST, client.fetchManifest(REPO, "latest").body());
        assertEquals(3, upstream.requests().size());
        assertEquals(Optional.of(BASIC), upstream.requests().get(2).header("Authorization"));
    }

    @Test
    void basicChallengeWithoutCredentialsIsUnauthorized() {
        upstream.answer(this::basicRegistry);
        RegistryClient client = client(UpstreamSettings.anonymous("hub", upstream.uri()));

        UpstreamException e = assertThrows(UpstreamException.class, () -> client.fetchManifest(REPO, "latest"));

        assertEquals(UpstreamException.Kind.UNAUTHORIZED, e.kind());
        assertEquals(1, upstream.requests().size());
    }

    @Test
    void refusedCredentialsAreWharfsCredentialsFailingAfterOneRetry() {
        upstream.answer(r -> Response.of(401, Map.of("WWW-Authenticate", "Basic realm=\"x\"")));
        RegistryClient client = withCredentials();

        UpstreamException e = assertThrows(UpstreamException.class, () -> client.fetchManifest(REPO, "latest"));

        assertEquals(UpstreamException.Kind.CREDENTIALS, e.kind());
        assertEquals(401, e.status());
        assertEquals(
                "upstream hub: refused Wharf's credentials from password (GET /v2/library/alpine/manifests/latest"
                        + " answered 401)",
                e.getMessage());
        assertEquals(2, upstream.requests().size(), "the same login is not sent a third time");
        assertEquals(1, client.credentialFailures());
    }

    @Test
    void aLoginRefusedByTheTokenServiceIsWharfsCredentialsFailing() {
        String realm = upstream.uri() + TOKEN_PATH;
        upstream.answer(r -> r.path().equals(TOKEN_PATH)
                ? Response.of(401, Map.of())
                : Response.of(401, Map.of("WWW-Authenticate", "Bearer realm=\"" + realm + "\",service=\"s\"")));
        RegistryClient client = withCredentials();

        UpstreamException e = assertThrows(UpstreamException.class, () -> client.fetchManifest(REPO, "latest"));

        assertEquals(UpstreamException.Kind.CREDENTIALS, e.kind());
        assertEquals(1, client.credentialFailures());
        assertFalse(e.getMessage().contains(PASSWORD));
    }

    @Test
    void aRefusedLoginIsRefreshedOnceAndTheNewOneUsed() {
        upstream.answer(this::basicRegistry);
        AtomicInteger refreshes = new AtomicInteger();
        CredentialSource rotating = new CredentialSource() {
            @Override
            public Optional<Login> current() {
                return Optional.of(new Login.Basic(USER, refreshes.get() == 0 ? "stale" : PASSWORD));
            }

            @Override
            public String describe() {
                return "rotating";
            }

            @Override
            public void refresh() {
                refreshes.incrementAndGet();
            }
        };
        UpstreamSettings settings = settings(upstream.uri(), Optional.empty(), Optional.empty(), Optional.empty());
        RegistryClient client = new RegistryClient(
                settings,
                CredentialRoutes.single(rotating),
                Optional.empty(),
                RegistryClient.newHttpClient(settings),
                clock,
                TestWatchdog.SHARED);

        assertArrayEquals(MANIFEST, client.fetchManifest(REPO, "latest").body());

        assertEquals(1, refreshes.get());
        assertEquals(
                Optional.of(BASIC),
                upstream.requests().get(upstream.requests().size() - 1).header("Authorization"));
        assertEquals(0, client.credentialFailures());
    }

    @Test
    void anonymousRefusalIsNotWharfsCredentials() {
        upstream.answer(r -> Response.of(403, Map.of()));
        RegistryClient client = client(UpstreamSettings.anonymous("hub", upstream.uri()));

        UpstreamException e = assertThrows(UpstreamException.class, () -> client.fetchManifest(REPO, "latest"));

        assertEquals(UpstreamException.Kind.DENIED, e.kind());
        assertEquals(0, client.credentialFailures());
    }

    @Test
    void catalogTokenIsAskedForTheRegistryCatalogScopeWithTheUpstreamsLogin() {
        String realm = upstream.uri() + TOKEN_PATH;
        upstream.answer(r -> {
            if (r.path().equals(TOKEN_PATH)) {
                return Response.of(
                        200,
                        Map.of("Content-Type", "application/json"),
                        "{\"token\":\"cat-1\"}".getBytes(StandardCharsets.UTF_8));
            }
            if (!r.header("Authorization").equals(Optional.of("Bearer cat-1"))) {
                return Response.of(
                        401,
                        Map.of(
                                "WWW-Authenticate",
                                "Bearer realm=\"" + realm
                                        + "\",service=\"registry.test\",scope=\"registry:catalog:*\""));
            }
            return Response.of(
                    200,
                    Map.of("Content-Type", "application/json"),
                    "{\"repositories\":[\"team/a\"]}".getBytes(StandardCharsets.UTF_8));
        });

        assertEquals(List.of("team/a"), withCredentials().fetchCatalog());

        Request tokenRequest = upstream.requests().get(1);
        assertEquals(TOKEN_PATH, tokenRequest.path());
        assertEquals("service=registry.test&scope=registry%3Acatalog%3A*", tokenRequest.query());
        assertEquals(Optional.of(BASIC), tokenRequest.header("Authorization"));
    }

    @Test
    void aCatalogRefusedToAWorkingLoginIsUnauthorizedNotACredentialFailure() {
        upstream.answer(r -> Response.of(401, Map.of("WWW-Authenticate", "Basic realm=\"registry\"")));
        RegistryClient client = withCredentials();

        UpstreamException e = assertThrows(UpstreamException.class, client::fetchCatalog);

        assertEquals(UpstreamException.Kind.UNAUTHORIZED, e.kind());
        assertEquals(Optional.of(BASIC), upstream.requests().get(1).header("Authorization"));
        assertEquals(0, client.credentialFailures());
    }

    @Test
    void bearerTokenIsFetchedWithServiceScopeAndCredentialsThenCached() {
        String realm = upstream.uri() + TOKEN_PATH;
        upstream.answer(r -> bearerRegistry(r, realm, 300));
        RegistryClient client = withCredentials();

        assertArrayEquals(MANIFEST, client.fetchManifest(REPO, "latest").body());

        List<Request> requests = upstream.requests();
        assertEquals(List.of(MANIFEST_PATH, TOKEN_PATH, MANIFEST_PATH), paths(requests));
        Request tokenRequest = requests.get(1);
        assertEquals("service=registry.test&scope=repository%3Alibrary%2Falpine%3Apull", tokenRequest.query());
        assertEquals(Optional.of(BASIC), tokenRequest.header("Authorization"));
        assertEquals(Optional.of("Bearer tok-1"), requests.get(2).header("Authorization"));

        client.fetchManifest(REPO, "latest");

        assertEquals(4, upstream.requests().size());
        assertEquals(1, upstream.count(TOKEN_PATH));
        assertEquals(Optional.of("Bearer tok-1"), upstream.requests().get(3).header("Authorization"));
    }

    @Test
    void expiredTokenIsRefetchedBeforeTheRequest() {
        String realm = upstream.uri() + TOKEN_PATH;
        upstream.answer(r -> bearerRegistry(r, realm, 300));
        RegistryClient client = withCredentials();
        client.fetchManifest(REPO, "latest");

        clock.advance(Duration.ofSeconds(269));
        client.fetchManifest(REPO, "latest");
        assertEquals(1, upstream.count(TOKEN_PATH));

        clock.advance(Duration.ofSeconds(2));
        client.fetchManifest(REPO, "latest");

        assertEquals(2, upstream.count(TOKEN_PATH));
        List<Request> requests = upstream.requests();
        Request last = requests.get(requests.size() - 1);
        assertEquals(Optional.of("Bearer tok-2"), last.header("Authorization"));
        assertEquals(
                List.of(MANIFEST_PATH, TOKEN_PATH, MANIFEST_PATH, MANIFEST_PATH, TOKEN_PATH, MANIFEST_PATH),
                paths(requests));
    }

    @Test
    void tokenRefusedByTheRegistryIsReplacedOnce() {
        String realm = upstream.uri() + TOKEN_PATH;
        upstream.answer(r -> bearerRegistry(r, realm, 300));
        RegistryClient client = withCredentials();
        client.fetchManifest(REPO, "latest");
        issued.incrementAndGet();

        assertArrayEquals(MANIFEST, client.fetchManifest(REPO, "latest").body());

        assertEquals(2, upstream.count(TOKEN_PATH));
        List<Request> requests = upstream.requests();
        assertEquals(
                Optional.of("Bearer tok-3"), requests.get(requests.size() - 1).header("Authorization"));
    }

    @Test
    void staticTokenIsSentInsteadOfAskingTheRealm() {
        upstream.answer(r -> {
            if (!r.header("Authorization").equals(Optional.of("Bearer S3NT1NEL-token"))) {
                return Response.of(401, Map.of("WWW-Authenticate", "Bearer realm=\"" + upstream.uri() + "/token\""));
            }
            return manifest(MANIFEST);
        });
        RegistryClient client =
                client(settings(upstream.uri(), Optional.empty(), Optional.empty(), Optional.of("S3NT1NEL-token")));

        client.fetchManifest(REPO, "latest");
        client.fetchManifest(REPO, "latest");

        assertEquals(0, upstream.count(TOKEN_PATH));
        assertEquals(3, upstream.requests().size());
    }

    @Test
    void realmOnAForeignHostIsRefusedWithoutContactingIt() throws IOException {
        try (FakeUpstream foreign = FakeUpstream.start()) {
            String realm = foreign.uriAs("localhost") + TOKEN_PATH;
            foreign.answer(r -> bearerRegistry(r, realm, 300));
            upstream.answer(r -> bearerRegistry(r, realm, 300));

            UpstreamException e = assertThrows(
                    UpstreamException.class, () -> withCredentials().fetchManifest(REPO, "latest"));

            assertEquals(UpstreamException.Kind.PROTOCOL, e.kind());
            assertEquals(0, foreign.requests().size());
        }
    }

    @Test
    void aRefusedRealmIsNotRememberedSoTheNextRequestReachesTheUpstream() throws IOException {
        try (FakeUpstream foreign = FakeUpstream.start()) {
            String refused = foreign.uriAs("localhost") + TOKEN_PATH;
            upstream.answer(r -> bearerRegistry(r, refused, 300));
            RegistryClient client = withCredentials();

            UpstreamException e = assertThrows(UpstreamException.class, () -> client.fetchManifest(REPO, "latest"));
            assertEquals(UpstreamException.Kind.PROTOCOL, e.kind());
            assertEquals(1, upstream.requests().size());

            String allowed = upstream.uri() + TOKEN_PATH;
            upstream.answer(r -> bearerRegistry(r, allowed, 300));

            assertArrayEquals(MANIFEST, client.fetchManifest(REPO, "other").body());
            assertEquals(
                    List.of(
                            MANIFEST_PATH,
                            "/v2/library/alpine/manifests/other",
                            TOKEN_PATH,
                            "/v2/library/alpine/manifests/other"),
                    paths(upstream.requests()));
            assertEquals(0, foreign.requests().size());
        }
    }

    @Test
    void allowListedRealmHostIsUsed() throws IOException {
        try (FakeUpstream tokens = FakeUpstream.start()) {
            URI realmBase = tokens.uriAs("localhost");
            String realm = realmBase + TOKEN_PATH;
            tokens.answer(r -> bearerRegistry(r, realm, 300));
            upstream.answer(r -> bearerRegistry(r, realm, 300));
            UpstreamSettings settings = new UpstreamSettings(
                    "hub",
                    upstream.uri(),
                    Optional.of(USER),
                    Optional.of(PASSWORD),
                    Optional.empty(),
                    List.of(realmBase.getAuthority()),
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(5));

            assertArrayEquals(
                    MANIFEST, client(settings).fetchManifest(REPO, "latest").body());

            assertEquals(1, tokens.count(TOKEN_PATH));
            assertEquals(Optional.of(BASIC), tokens.requests().get(0).header("Authorization"));
        }
    }

    @Test
    void malformedChallengeIsAProtocolError() {
        upstream.answer(r -> Response.of(401, Map.of("WWW-Authenticate", "Bearer realm=\"unterminated")));

        UpstreamException e =
                assertThrows(UpstreamException.class, () -> withCredentials().fetchManifest(REPO, "latest"));

        assertEquals(UpstreamException.Kind.PROTOCOL, e.kind());
    }

    @Test
    void tokenResponseWithoutTokenIsAProtocolError() {
        upstream.answer(r -> r.path().equals(TOKEN_PATH)
                ? Response.of(200, Map.of(), "{\"nothing\":1}".getBytes(StandardCharsets.UTF_8))
                : Response.of(401, Map.of("WWW-Authenticate", "Bearer realm=\"" + upstream.uri() + TOKEN_PATH + "\"")));

        UpstreamException e =
                assertThrows(UpstreamException.class, () -> withCredentials().fetchManifest(REPO, "latest"));

        assertEquals(UpstreamException.Kind.PROTOCOL, e.kind());
    }

    static List<String> paths(List<Request> requests) {
        return requests.stream().map(Request::path).toList();
    }

    @Test
    void identityTokenIsExchangedByARefreshTokenGrantAtTheRealm() {
        String realm = upstream.uri() + TOKEN_PATH;
        upstream.answer(r -> bearerRegistry(r, realm, 300));
        UpstreamSettings settings = UpstreamSettings.anonymous("hub", upstream.uri());
        RegistryClient client = new RegistryClient(
                settings,
                CredentialRoutes.single(
                        CredentialSource.fixed(Optional.of(new Login.IdentityToken(PASSWORD)), "dockerConfig x")),
                Optional.empty(),
                RegistryClient.newHttpClient(settings),
                clock,
                TestWatchdog.SHARED);

        assertArrayEquals(MANIFEST, client.fetchManifest(REPO, "latest").body());

        Request grant = upstream.requests().stream()
                .filter(r -> r.path().equals(TOKEN_PATH))
                .findFirst()
                .orElseThrow();
        assertEquals("POST", grant.method());
        assertEquals(Optional.of("application/x-www-form-urlencoded"), grant.header("Content-Type"));
        assertEquals(
                "grant_type=refresh_token&client_id=wharf&service=registry.test"
                        + "&scope=repository%3Alibrary%2Falpine%3Apull&refresh_token=" + PASSWORD,
                grant.body());
        assertEquals(Optional.empty(), grant.header("Authorization"));
        assertFalse(grant.query() != null && grant.query().contains(PASSWORD), "the secret never goes in a URI");
    }
}
