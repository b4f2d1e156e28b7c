package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.proxy.lab.CapturedLogs;
import dev.wharf.proxy.lab.Chromium;
import dev.wharf.proxy.lab.CommandResult;
import dev.wharf.proxy.lab.ImageFormat;
import dev.wharf.proxy.lab.ImageSeeder;
import dev.wharf.proxy.lab.RegistryProcess;
import dev.wharf.proxy.lab.RunningWharf;
import dev.wharf.proxy.lab.Samples;
import dev.wharf.proxy.lab.SeededImage;
import dev.wharf.proxy.lab.Skopeo;
import dev.wharf.proxy.upstream.RegistryClient;
import dev.wharf.storage.Digest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin listener with client authentication on, against a real Wharf and the real registry: every admin route and
 * the status page challenge without credentials ({@code 401}, {@code WWW-Authenticate: Basic}, JSON body), refuse a
 * wrong password ({@code 401}, logged with the name and address, counted) and a user who is not in {@code
 * auth.admins} ({@code 403}); an administrator by password or by token gets the real answers; the health probes and
 * the scrape stay open. A purge by a non-administrator deletes nothing. Headless Chromium shows the status page with
 * credentials and cannot load it without. Without administrators the admin API is closed to everyone. No password or
 * token is ever logged.
 */
class AdminAuthIT {
    private static final String UPSTREAM = "up.test";
    private static final String ALICE_PASSWORD = "alice-SENTINEL-3e1d";
    private static final String BOB_PASSWORD = "bob-SENTINEL-77a0";
    private static final String ROBOT_TOKEN = "robot-SENTINEL-5b9c";
    private static final String CI_TOKEN = "ci-SENTINEL-c40f";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Every route that reads the cache's content or changes anything, with a method and a harmless target. */
    private static final List<String[]> PROTECTED = List.of(
            new String[] {"GET", "/"},
            new String[] {"GET", "/upstreams"},
            new String[] {"GET", "/cache"},
            new String[] {"GET", "/eviction/plan"},
            new String[] {"POST", "/eviction/run"},
            new String[] {"DELETE", "/cache?upstream=" + UPSTREAM + "&repository=org/app&tag=1"},
            new String[] {"GET", "/prewarm"},
            new String[] {"POST", "/prewarm/none/run"},
            new String[] {"GET", "/stats"});

    @TempDir
    Path dir;

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private CapturedLogs logs;
    private RegistryProcess registry;
    private SeededImage image;
    private RunningWharf wharf;

    @BeforeEach
    void start() throws Exception {
        logs = CapturedLogs.start();
        registry = RegistryProcess.anonymous();
        image = ImageSeeder.of(registry).seedImage("org/app", List.of("1"), ImageFormat.OCI, "amd64", 2);
        byte[] salt = new byte[16];
        salt[5] = 9;
        Files.writeString(
                dir.resolve("htpasswd"),
                "alice:" + OpenBSDBCrypt.generate("2y", ALICE_PASSWORD.toCharArray(), salt, 5) + "\n" + "bob:"
                        + OpenBSDBCrypt.generate("2y", BOB_PASSWORD.toCharArray(), salt, 5) + "\n");
        Files.writeString(dir.resolve("robot.token"), ROBOT_TOKEN + "\n");
        Files.writeString(dir.resolve("ci.token"), CI_TOKEN + "\n");
        String yaml = RunningWharf.singleUpstream(UPSTREAM, registry)
                + "auth:\n  htpasswd: " + dir.resolve("htpasswd") + "\n  tokens:\n"
                + "    - {user: ops-robot, file: " + dir.resolve("robot.token") + "}\n"
                + "    - {user: ci, file: " + dir.resolve("ci.token") + "}\n"
                + "  admins: [alice, ops-robot]\n";
        wharf = RunningWharf.start(yaml, dir.resolve("data"));
        registry.clearRequests();
    }

    @AfterEach
    void stop() {
        if (wharf != null) {
            wharf.close();
        }
        if (registry != null) {
            registry.close();
        }
        for (String line : logs.lines()) {
            for (String secret : List.of(ALICE_PASSWORD, BOB_PASSWORD, ROBOT_TOKEN, CI_TOKEN)) {
                assertFalse(line.contains(secret), "a secret was logged: " + line);
            }
        }
        logs.close();
    }

    @Test
    void everyAdminRouteNeedsAnAdministratorWhileProbesAndTheScrapeStayOpen() throws Exception {
        for (String[] route : PROTECTED) {
            HttpResponse<String> none = send(route[0], route[1], Optional.empty());
            assertEquals(401, none.statusCode(), route[0] + " " + route[1]);
            assertEquals(
                    List.of("Basic realm=\"wharf\""),
                    none.headers().allValues("WWW-Authenticate"),
                    route[0] + " " + route[1]);
            assertTrue(none.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
            assertTrue(JSON.readTree(none.body()).path("error").asText().contains("authentication required"));

            HttpResponse<String> wrong = send(route[0], route[1], Optional.of(basic("alice", "not-" + ALICE_PASSWORD)));
            assertEquals(401, wrong.statusCode(), route[0] + " " + route[1]);
            assertEquals(List.of("Basic realm=\"wharf\""), wrong.headers().allValues("WWW-Authenticate"));

            HttpResponse<String> bob = send(route[0], route[1], Optional.of(basic("bob", BOB_PASSWORD)));
            assertEquals(403, bob.statusCode(), route[0] + " " + route[1]);
            assertTrue(JSON.readTree(bob.body()).path("error").asText().contains("not an administrator"));

            HttpResponse<String> ci = send(route[0], route[1], Optional.of("Bearer " + CI_TOKEN));
            assertEquals(403, ci.statusCode(), "a token of a user who is not an administrator");
        }
        String metrics = send("GET", "/metrics", Optional.empty()).body();
        assertEquals(
                PROTECTED.size(),
                Samples.value(metrics, "wharf_admin_login_failures_total{reason=\"invalid_credentials\"}"));
        assertEquals(
                2 * PROTECTED.size(), Samples.value(metrics, "wharf_admin_login_failures_total{reason=\"not_admin\"}"));
        assertTrue(
                logs.lines().stream()
                        .anyMatch(l -> l.contains(
                                "admin login failed: wrong credentials for user \"alice\" from /127.0.0.1:")),
                String.join("\n", logs.lines()));
        assertTrue(
                logs.lines().stream().anyMatch(l -> l.contains("admin login refused: \"bob\" from /127.0.0.1:")),
                String.join("\n", logs.lines()));

        for (String probe : List.of("/healthz", "/readyz", "/metrics")) {
            assertEquals(200, send("GET", probe, Optional.empty()).statusCode(), probe);
        }
        assertEquals(List.of(), registry.requestsSettled(), "no refused admin request reached the upstream");
    }

    @Test
    void anAdministratorByPasswordOrTokenGetsTheRealAnswers() throws Exception {
        pullThroughWharf();
        for (String authorization : List.of(basic("alice", ALICE_PASSWORD), "Bearer " + ROBOT_TOKEN)) {
            HttpResponse<String> cache = send("GET", "/cache", Optional.of(authorization));
            assertEquals(200, cache.statusCode(), cache.body());
            JsonNode repository =
                    JSON.readTree(cache.body()).path("repositories").get(0);
            assertEquals(UPSTREAM, repository.path("upstream").asText(), cache.body());
            assertEquals("org/app", repository.path("repository").asText());
            assertEquals(
                    image.manifestDigest(),
                    repository.path("tags").get(0).path("digest").asText());

            HttpResponse<String> upstreams = send("GET", "/upstreams", Optional.of(authorization));
            assertEquals(200, upstreams.statusCode());
            assertEquals(
                    UPSTREAM,
                    JSON.readTree(upstreams.body())
                            .path("upstreams")
                            .get(0)
                            .path("name")
                            .asText());
        }
        HttpResponse<String> page = send("GET", "/", Optional.of(basic("alice", ALICE_PASSWORD)));
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("id=\"hit-ratio\""), page.body());
    }

    @Test
    void aPurgeByANonAdministratorDeletesNothing() throws Exception {
        pullThroughWharf();
        registry.clearRequests();
        String purge = "/cache?upstream=" + UPSTREAM + "&repository=org/app&tag=1";
        assertEquals(
                403,
                send("DELETE", purge, Optional.of(basic("bob", BOB_PASSWORD))).statusCode());
        assertEquals(401, send("DELETE", purge, Optional.empty()).statusCode());

        HttpResponse<byte[]> manifest = http.send(
                HttpRequest.newBuilder(wharf.url().resolve("/v2/" + UPSTREAM + "/org/app/manifests/1"))
                        .header("Authorization", basic("bob", BOB_PASSWORD))
                        .header("Accept", RegistryClient.manifestAcceptHeader())
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, manifest.statusCode());
        assertEquals(image.manifestDigest(), Digest.sha256(manifest.body()).toString());
        assertEquals(List.of(), registry.requestsSettled(), "still cached: the upstream saw no new request");
        JsonNode cache = JSON.readTree(send("GET", "/cache", Optional.of(basic("alice", ALICE_PASSWORD)))
                .body());
        assertEquals(1, cache.path("images").asInt(), cache.toPrettyString());
    }

    @Test
    void chromiumShowsTheStatusPageWithCredentialsAndNothingWithout(@TempDir Path profile, @TempDir Path other)
            throws Exception {
        pullThroughWharf();
        URI page = wharf.adminUrl().resolve("/");
        URI withCredentials =
                URI.create("http://alice:" + ALICE_PASSWORD + "@" + page.getHost() + ":" + page.getPort() + "/");
        Chromium chromium = new Chromium(profile);
        String dom = chromium.dumpDom(withCredentials);
        assertTrue(dom.contains("<h1>Wharf</h1>"), dom);
        assertTrue(dom.contains("id=\"hit-ratio\""), dom);
        Path screenshot = Path.of("target", "status-page-authenticated.png");
        Files.deleteIfExists(screenshot);
        chromium.screenshot(withCredentials, screenshot);
        assertTrue(Files.size(screenshot) > 10_000, "a rendered page, not a blank one");

        CommandResult without = new Chromium(other).load(page);
        assertFalse(without.stdoutText().contains("Wharf"), without.stdoutText());
        assertTrue(without.stderr().contains("ERR_INVALID_AUTH_CREDENTIALS"), without.stderr());
        CommandResult wrong = new Chromium(other)
                .load(URI.create("http://alice:wrong@" + page.getHost() + ":" + page.getPort() + "/"));
        assertFalse(wrong.stdoutText().contains("Wharf"), wrong.stdoutText());
        assertTrue(
                Samples.value(
                                send("GET", "/metrics", Optional.empty()).body(),
                                "wharf_admin_login_failures_total{reason=\"invalid_credentials\"}")
                        >= 1,
                "Chromium's wrong password reached Wharf and was refused");
    }

    @Test
    void withoutAdministratorsTheAdminApiIsClosedToEveryoneAndStartUpSaysSo() throws Exception {
        String yaml = RunningWharf.singleUpstream(UPSTREAM, registry) + "auth:\n  htpasswd: " + dir.resolve("htpasswd")
                + "\n  admins: []\n";
        try (RunningWharf closed = RunningWharf.start(yaml, dir.resolve("closed"))) {
            assertTrue(
                    logs.lines().stream()
                            .anyMatch(l -> l.contains("auth.admins is empty: the admin API and the status page answer"
                                    + " 403 to everyone")),
                    String.join("\n", logs.lines()));
            for (String[] route : PROTECTED) {
                HttpRequest.Builder request = HttpRequest.newBuilder(
                                closed.adminUrl().resolve(route[1]))
                        .method(route[0], HttpRequest.BodyPublishers.noBody());
                assertEquals(
                        401,
                        http.send(request.build(), HttpResponse.BodyHandlers.ofString())
                                .statusCode(),
                        route[0] + " " + route[1]);
                HttpResponse<String> alice = http.send(
                        request.header("Authorization", basic("alice", ALICE_PASSWORD))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(403, alice.statusCode(), route[0] + " " + route[1]);
            }
            assertEquals(
                    200,
                    http.send(
                                    HttpRequest.newBuilder(closed.adminUrl().resolve("/healthz"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode());
        }
    }

    /** skopeo, logged in as a user who is not an administrator, pulls the image through Wharf. */
    private void pullThroughWharf() {
        new Skopeo()
                .run(
                        "--insecure-policy",
                        "copy",
                        "--src-tls-verify=false",
                        "--src-creds",
                        "bob:" + BOB_PASSWORD,
                        "docker://" + wharf.host() + "/" + UPSTREAM + "/" + image.reference(),
                        "dir:" + dir.resolve("pulled"))
                .requireSuccess();
    }

    private HttpResponse<String> send(String method, String path, Optional<String> authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(wharf.adminUrl().resolve(path))
                .timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody());
        authorization.ifPresent(a -> request.header("Authorization", a));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
