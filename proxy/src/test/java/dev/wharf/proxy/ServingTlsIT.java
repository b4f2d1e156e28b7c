package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.lab.CapturedLogs;
import dev.wharf.proxy.lab.FreePort;
import dev.wharf.proxy.lab.ImageFormat;
import dev.wharf.proxy.lab.ImageSeeder;
import dev.wharf.proxy.lab.RegistryProcess;
import dev.wharf.proxy.lab.RunningWharf;
import dev.wharf.proxy.lab.SeededImage;
import dev.wharf.proxy.lab.Skopeo;
import dev.wharf.proxy.lab.TestCa;
import dev.wharf.proxy.lab.TlsClient;
import dev.wharf.storage.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS listener of the registry API with the real distribution registry upstream: skopeo pulls through it trusting
 * a CA from its cert dir, while the plain listener still serves; cached and filling blobs stream over TLS with their
 * exact bytes; a certificate rotated on disk reaches new connections while an open one goes on; a self-signed
 * certificate is logged by its fingerprint; a required client certificate keeps out clients without one.
 */
class ServingTlsIT {
    private static final String UPSTREAM = "registry.test";

    @TempDir
    Path dir;

    private RegistryProcess registry;
    private TestCa ca;
    private Path caPem;

    @BeforeEach
    void seed() {
        registry = RegistryProcess.anonymous();
        ca = TestCa.create("Wharf serving CA");
        caPem = ca.writeCertificate(dir.resolve("ca.pem"));
        ca.issueServer(dir.resolve("tls.crt"), dir.resolve("tls.key"));
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    private RunningWharf wharf(String tls) throws InterruptedException {
        String yaml = RunningWharf.singleUpstream(UPSTREAM, registry) + "tlsListen: 127.0.0.1:" + FreePort.find()
                + "\ntls: " + tls + "\n";
        return RunningWharf.start(yaml, dir.resolve("data"));
    }

    private String files() {
        return "{certFile: " + dir.resolve("tls.crt") + ", keyFile: " + dir.resolve("tls.key") + "}";
    }

    private static int port(RunningWharf wharf) {
        return wharf.wharf().tlsAddress().orElseThrow().getPort();
    }

    @Test
    void skopeoPullsOverTlsTrustingTheCaOfItsCertDirWhileThePlainListenerStillServes() throws Exception {
        SeededImage image = ImageSeeder.of(registry).seedImage("team/app", List.of("1"), ImageFormat.OCI, "amd64", 2);
        Path certDir = Files.createDirectories(dir.resolve("certs"));
        Files.copy(caPem, certDir.resolve("ca.crt"));
        try (RunningWharf wharf = wharf(files())) {
            Path out = dir.resolve("out");
            new Skopeo()
                    .run(
                            "--insecure-policy",
                            "copy",
                            "--retry-times",
                            "0",
                            "--src-no-creds",
                            "--src-cert-dir",
                            certDir.toString(),
                            "docker://" + wharf.tlsHost() + "/" + UPSTREAM + "/" + image.reference(),
                            "dir:" + out)
                    .requireSuccess();
            for (String blob : image.blobDigests()) {
                assertTrue(Files.exists(out.resolve(Digest.parse(blob).encoded())), "skopeo wrote " + blob);
            }
            // Without the CA, skopeo refuses the certificate.
            var untrusting = new Skopeo()
                    .run(
                            "--insecure-policy",
                            "inspect",
                            "--retry-times",
                            "0",
                            "--no-creds",
                            "docker://" + wharf.tlsHost() + "/" + UPSTREAM + "/" + image.reference());
            assertNotEquals(0, untrusting.exitCode());
            assertTrue(untrusting.stderr().contains("certificate"), untrusting.stderr());
            try (var plain = dev.wharf.proxy.lab.RawGet.send(wharf.url(), "GET", "/v2/")) {
                assertEquals(200, plain.status());
            }
        }
    }

    @Test
    void largeBlobsStreamOverTlsWithTheirExactBytesWhileFillingAndOnceCached() throws Exception {
        SeededImage image = ImageSeeder.of(registry).seedLarge("team/big", "1", 24L * 1024 * 1024);
        String layer = image.blobDigests().get(image.blobDigests().size() - 1);
        SSLContext trusting = TlsClient.context(caPem, Optional.empty(), Optional.empty());
        try (RunningWharf wharf = wharf(files());
                TlsClient client = TlsClient.connect(trusting, port(wharf))) {
            String path = "/v2/" + UPSTREAM + "/team/big/blobs/" + layer;
            for (String round : List.of("filling", "cached")) {
                TlsClient.Response response = client.get(path, Map.of());
                assertEquals(200, response.status(), round);
                assertEquals(layer, sha256(response.body()), round);
            }
            TlsClient.Response ranged = client.get(path, Map.of("Range", "bytes=1000-1999"));
            assertEquals(206, ranged.status());
            assertEquals(1000, ranged.body().length);
        }
        assertEquals(1, registry.count("GET", p -> p.endsWith("/blobs/" + layer)), "one upstream fetch");
    }

    @Test
    void aRotatedCertificateReachesNewConnectionsWhileAnOpenOneGoesOn() throws Exception {
        try (RunningWharf wharf = wharf(files());
                TlsClient before =
                        TlsClient.connect(TlsClient.context(caPem, Optional.empty(), Optional.empty()), port(wharf))) {
            X509Certificate first = before.serverCertificate();
            assertEquals(200, before.get("/v2/", Map.of()).status());

            TestCa next = TestCa.create("Wharf rotated CA");
            Path nextCa = next.writeCertificate(dir.resolve("next-ca.pem"));
            next.issueServer(dir.resolve("new.crt"), dir.resolve("new.key"));
            // Replace both files the way a Secret update does: whole files, key first.
            Files.move(
                    dir.resolve("new.key"), dir.resolve("tls.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.move(
                    dir.resolve("new.crt"), dir.resolve("tls.crt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

            SSLContext trustingNext = TlsClient.context(nextCa, Optional.empty(), Optional.empty());
            X509Certificate rotated = null;
            long deadline = System.nanoTime() + 15_000_000_000L;
            while (rotated == null && System.nanoTime() < deadline) {
                try (TlsClient after = TlsClient.connect(trustingNext, port(wharf))) {
                    rotated = after.serverCertificate();
                    assertEquals(200, after.get("/v2/", Map.of()).status());
                } catch (IOException notYet) {
                    Thread.sleep(200);
                }
            }
            assertTrue(rotated != null, "a new connection got the rotated certificate within 15 s");
            assertNotEquals(first.getSerialNumber(), rotated.getSerialNumber());
            // The connection opened before the change keeps working with its own certificate.
            assertEquals(200, before.get("/v2/", Map.of()).status());
            assertEquals(first, before.serverCertificate());
        }
    }

    @Test
    void aSelfSignedCertificateIsMadeAtStartAndLoggedByItsFingerprint() throws Exception {
        try (CapturedLogs logs = CapturedLogs.start();
                RunningWharf wharf = wharf("{selfSigned: true}")) {
            X509Certificate made = wharf.wharf().selfSignedCertificate().orElseThrow();
            Path pinned = dir.resolve("self.pem");
            Files.writeString(
                    pinned,
                    "-----BEGIN CERTIFICATE-----\n"
                            + java.util.Base64.getMimeEncoder().encodeToString(made.getEncoded())
                            + "\n-----END CERTIFICATE-----\n");
            try (TlsClient client =
                    TlsClient.connect(TlsClient.context(pinned, Optional.empty(), Optional.empty()), port(wharf))) {
                X509Certificate shown = client.serverCertificate();
                String fingerprint = HexFormat.ofDelimiter(":")
                        .withUpperCase()
                        .formatHex(MessageDigest.getInstance("SHA-256").digest(shown.getEncoded()));
                assertTrue(
                        logs.lines().stream()
                                .anyMatch(line -> line.contains("self-signed") && line.contains(fingerprint)),
                        "the log names the fingerprint " + fingerprint);
                assertEquals(200, client.get("/v2/", Map.of()).status());
            }
        }
    }

    @Test
    void aRequiredClientCertificateKeepsOutClientsWithoutOne() throws Exception {
        TestCa clients = TestCa.create("Wharf clients CA");
        Path clientsCa = clients.writeCertificate(dir.resolve("clients-ca.pem"));
        clients.issueClient(dir.resolve("client.crt"), dir.resolve("client.key"), true, "builder");
        ca.issueClient(dir.resolve("stranger.crt"), dir.resolve("stranger.key"), false, "stranger");
        String tls = "{certFile: " + dir.resolve("tls.crt") + ", keyFile: " + dir.resolve("tls.key")
                + ", clientCaFile: " + clientsCa + "}";
        try (RunningWharf wharf = wharf(tls)) {
            try (TlsClient client = TlsClient.connect(
                    TlsClient.context(
                            caPem, Optional.of(dir.resolve("client.crt")), Optional.of(dir.resolve("client.key"))),
                    port(wharf))) {
                assertEquals(200, client.get("/v2/", Map.of()).status());
            }
            for (Optional<String> who : List.of(Optional.<String>empty(), Optional.of("stranger"))) {
                SSLContext context = TlsClient.context(
                        caPem, who.map(w -> dir.resolve(w + ".crt")), who.map(w -> dir.resolve(w + ".key")));
                assertThrows(
                        IOException.class,
                        () -> {
                            try (TlsClient client = TlsClient.connect(context, port(wharf))) {
                                client.get("/v2/", Map.of());
                            }
                        },
                        "refused: " + who.orElse("no certificate"));
            }
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return "sha256:"
                + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
