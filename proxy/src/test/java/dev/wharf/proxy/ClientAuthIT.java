package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.lab.CapturedLogs;
import dev.wharf.proxy.lab.CommandResult;
import dev.wharf.proxy.lab.Containerd;
import dev.wharf.proxy.lab.FreePort;
import dev.wharf.proxy.lab.ImageFormat;
import dev.wharf.proxy.lab.ImageSeeder;
import dev.wharf.proxy.lab.RawGet;
import dev.wharf.proxy.lab.RegistryProcess;
import dev.wharf.proxy.lab.RunningWharf;
import dev.wharf.proxy.lab.SeededImage;
import dev.wharf.proxy.lab.Skopeo;
import dev.wharf.proxy.lab.TestCa;
import dev.wharf.proxy.lab.TlsClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client authentication with real clients over TLS, the real distribution registry upstream: {@code /v2/} and every
 * route challenge with {@code 401}, {@code WWW-Authenticate: Basic realm="wharf"} and an OCI {@code UNAUTHORIZED}
 * body before anything reaches the upstream; skopeo logs in with {@code --src-creds}; containerd sends a static
 * {@code Authorization} header from {@code hosts.toml} with the CA in {@code ca}; no password or token is logged.
 */
class ClientAuthIT {
    private static final String UPSTREAM = "registry.test";
    private static final String PASSWORD = "pw-SENTINEL-7f3a";
    private static final String TOKEN = "tok-SENTINEL-91c2";

    @TempDir
    Path dir;

    private RegistryProcess registry;
    private SeededImage image;
    private Path caPem;
    private CapturedLogs logs;
    private RunningWharf wharf;

    @BeforeEach
    void start() throws Exception {
        logs = CapturedLogs.start();
        registry = RegistryProcess.anonymous();
        image = ImageSeeder.of(registry).seedImage("team/app", List.of("1"), ImageFormat.OCI, "amd64", 2);
        TestCa ca = TestCa.create("Wharf serving CA");
        caPem = ca.writeCertificate(dir.resolve("ca.pem"));
        ca.issueServer(dir.resolve("tls.crt"), dir.resolve("tls.key"));
        byte[] salt = new byte[16];
        salt[3] = 42;
        Files.writeString(
                dir.resolve("htpasswd"),
                "alice:" + OpenBSDBCrypt.generate("2y", PASSWORD.toCharArray(), salt, 6) + "\n");
        Files.writeString(dir.resolve("ci.token"), TOKEN + "\n");
        String yaml = RunningWharf.singleUpstream(UPSTREAM, registry) + "tlsListen: 127.0.0.1:" + FreePort.find()
                + "\ntls: {certFile: " + dir.resolve("tls.crt") + ", keyFile: " + dir.resolve("tls.key") + "}\n"
                + "auth:\n  htpasswd: " + dir.resolve("htpasswd") + "\n  tokens:\n    - {user: ci, file: "
                + dir.resolve("ci.token") + "}\n";
        wharf = RunningWharf.start(yaml, dir.resolve("data"));
        registry.clearRequests();
    }

    @AfterEach
    void stop() {
        if (wharf != null) {
            wharf.close();
        }
        registry.close();
        for (String line : logs.lines()) {
            assertFalse(line.contains(PASSWORD) || line.contains(TOKEN), "a secret was logged: " + line);
        }
        logs.close();
    }

    private int tlsPort() {
        return wharf.wharf().tlsAddress().orElseThrow().getPort();
    }

    @Test
    void everyRouteChallengesBeforeAnyUpstreamRequest() throws Exception {
        SSLContext trusting = TlsClient.context(caPem, Optional.empty(), Optional.empty());
        String base = "/v2/" + UPSTREAM + "/team/app";
        try (TlsClient client = TlsClient.connect(trusting, tlsPort())) {
            for (String path : List.of(
                    "/v2/",
                    base + "/manifests/1",
                    base + "/blobs/" + image.blobDigests().get(0),
                    base + "/tags/list",
                    "/v2/unknown.example/team/app/manifests/1",
                    "/v2/" + UPSTREAM + "/team/app/manifests/1?ns=unknown.example")) {
                for (Map<String, String> headers : List.of(
                        Map.<String, String>of(),
                        Map.of("Authorization", basic("alice", "wrong")),
                        Map.of("Authorization", "Bearer " + TOKEN + "x"))) {
                    TlsClient.Response response = client.get(path, headers);
                    assertEquals(401, response.status(), path);
                    assertEquals("Basic realm=\"wharf\"", response.headers().get("www-authenticate"), path);
                    assertEquals("registry/2.0", response.headers().get("docker-distribution-api-version"));
                    assertTrue(response.text().contains("\"code\":\"UNAUTHORIZED\""), response.text());
                }
            }
            assertEquals(
                    200,
                    client.get("/v2/", Map.of("Authorization", basic("alice", PASSWORD)))
                            .status());
            assertEquals(
                    200,
                    client.get("/v2/", Map.of("Authorization", "Bearer " + TOKEN))
                            .status());
        }
        // The plain listener asks the same.
        try (RawGet plain = RawGet.send(wharf.url(), "GET", "/v2/")) {
            assertEquals(401, plain.status());
        }
        assertEquals(List.of(), registry.requests(), "no upstream request for a refused client");
    }

    @Test
    void skopeoLogsInWithSrcCredsOverTls() throws Exception {
        Path certDir = Files.createDirectories(dir.resolve("certs"));
        Files.copy(caPem, certDir.resolve("ca.crt"));
        String ref = "docker://" + wharf.tlsHost() + "/" + UPSTREAM + "/" + image.reference();
        CommandResult wrong = copy(certDir, "alice:not-the-password", ref, dir.resolve("wrong"));
        assertNotEquals(0, wrong.exitCode());
        assertTrue(wrong.stderr().toLowerCase().contains("unauthorized"), wrong.stderr());

        copy(certDir, "alice:" + PASSWORD, ref, dir.resolve("out")).requireSuccess();
        for (String blob : image.blobDigests()) {
            assertTrue(Files.exists(dir.resolve("out").resolve(blob.substring("sha256:".length()))), blob);
        }
    }

    @Test
    void containerdSendsAStaticAuthorizationHeaderFromHostsToml() throws Exception {
        String reference = UPSTREAM + "/" + image.reference();
        try (Containerd containerd = Containerd.start()) {
            Path without = dir.resolve("hosts-without");
            Containerd.writeHostsToml(without, UPSTREAM, wharf.tlsUrl().toString(), caPem, Map.of());
            CommandResult refused = containerd.pullAsConfigured(reference, without);
            assertNotEquals(0, refused.exitCode(), "a pull without the header is refused");
            assertTrue(refused.stderr().toLowerCase().contains("unauthorized"), refused.describe());
            assertEquals(List.of(), registry.requests(), "and reaches no upstream");

            Path with = dir.resolve("hosts-with");
            Containerd.writeHostsToml(
                    with, UPSTREAM, wharf.tlsUrl().toString(), caPem, Map.of("Authorization", "Bearer " + TOKEN));
            containerd.pullAsConfigured(reference, with).requireSuccess();
            assertEquals(Optional.of(image.manifestDigest()), containerd.imageDigest(reference));
        }
    }

    private static CommandResult copy(Path certDir, String creds, String ref, Path out) {
        return new Skopeo()
                .run(
                        "--insecure-policy",
                        "copy",
                        "--retry-times",
                        "0",
                        "--src-cert-dir",
                        certDir.toString(),
                        "--src-creds",
                        creds,
                        ref,
                        "dir:" + out);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
