package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.lab.ImageFormat;
import dev.wharf.proxy.lab.ImageSeeder;
import dev.wharf.proxy.lab.RegistryProcess;
import dev.wharf.proxy.lab.RunningWharf;
import dev.wharf.proxy.lab.SeededImage;
import dev.wharf.proxy.upstream.RegistryClient;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Access rules per upstream with the real distribution registry behind two upstream names: a repository outside the
 * allow globs or inside a deny glob, and a user the rule does not name, get {@code 403 DENIED} on every route, for
 * cached and uncached content alike, and the upstream sees no request for them; another upstream without a rule is
 * not affected.
 */
class AccessRulesIT {
    private static final String GUARDED = "guarded.test";
    private static final String OPEN = "open.test";
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;

    private RegistryProcess registry;
    private SeededImage app;
    private SeededImage secret;
    private RunningWharf wharf;

    @BeforeEach
    void start() throws Exception {
        registry = RegistryProcess.anonymous();
        ImageSeeder seeder = ImageSeeder.of(registry);
        app = seeder.seedImage("team/app", List.of("1"), ImageFormat.OCI, "amd64", 1);
        secret = seeder.seedImage("team/secret-app", List.of("1"), ImageFormat.OCI, "amd64", 1);
        byte[] salt = new byte[16];
        Files.writeString(
                dir.resolve("htpasswd"),
                "alice:" + OpenBSDBCrypt.generate("2y", "alice-pw".toCharArray(), salt, 5) + "\nbob:"
                        + OpenBSDBCrypt.generate("2y", "bob-pw".toCharArray(), salt, 5) + "\n");
        String yaml = "defaultUpstream: " + OPEN + "\nupstreams:\n"
                + "  - {name: " + GUARDED + ", url: \"" + registry.url() + "\"}\n"
                + "  - {name: " + OPEN + ", url: \"" + registry.url() + "\"}\n"
                + "auth: {htpasswd: " + dir.resolve("htpasswd") + "}\n"
                + "access:\n  - upstream: " + GUARDED + "\n    allow: [\"team/*\"]\n    deny: [\"team/secret*\"]\n"
                + "    users: [alice]\n";
        wharf = RunningWharf.start(yaml, dir.resolve("data"));
    }

    @AfterEach
    void stop() {
        if (wharf != null) {
            wharf.close();
        }
        registry.close();
    }

    @Test
    void deniedRequestsNeverReachTheCacheOrTheUpstream() throws Exception {
        // alice fills the cache with team/app through the guarded upstream.
        for (String path : paths(GUARDED, app)) {
            assertEquals(200, get("alice", path).statusCode(), path);
        }
        registry.clearRequests();

        // bob is not named by the rule: refused for the cached image, before any cache read or upstream request.
        for (String path : paths(GUARDED, app)) {
            HttpResponse<String> refused = get("bob", path);
            assertEquals(403, refused.statusCode(), path);
            assertTrue(refused.body().contains("\"code\":\"DENIED\""), refused.body());
        }
        // A denied repository and one outside the allow list: refused even for alice, uncached, never fetched.
        for (String path : paths(GUARDED, secret)) {
            assertEquals(403, get("alice", path).statusCode(), path);
        }
        assertEquals(
                403,
                get("alice", "/v2/" + GUARDED + "/library/alpine/manifests/latest")
                        .statusCode());
        assertEquals(List.of(), registry.requests(), "no upstream request for a denied one");

        // Without credentials the answer is still 401 first; the other upstream has no rule.
        assertEquals(401, get(null, paths(GUARDED, secret).get(0)).statusCode());
        for (String path : paths(OPEN, secret)) {
            assertEquals(200, get("bob", path).statusCode(), path);
        }
    }

    private static List<String> paths(String upstream, SeededImage image) {
        String base = "/v2/" + upstream + "/" + image.repository();
        return List.of(
                base + "/manifests/" + image.tags().get(0),
                base + "/manifests/" + image.manifestDigest(),
                base + "/blobs/" + image.blobDigests().get(0),
                base + "/tags/list");
    }

    private HttpResponse<String> get(String user, String path) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(wharf.url().resolve(path))
                .header("Accept", RegistryClient.manifestAcceptHeader());
        if (user != null) {
            String password = user + "-pw";
            request.header(
                    "Authorization",
                    "Basic "
                            + Base64.getEncoder()
                                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
