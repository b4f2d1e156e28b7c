package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.lab.CapturedLogs;
import dev.wharf.proxy.lab.ImageFormat;
import dev.wharf.proxy.lab.ImageSeeder;
import dev.wharf.proxy.lab.RegistryProcess;
import dev.wharf.proxy.lab.RunningWharf;
import dev.wharf.proxy.lab.SeededImage;
import dev.wharf.proxy.lab.TestCa;
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
 * The real distribution registry serving https with a certificate from a CA the test makes, pulled through Wharf
 * (manifests through the JDK client, blobs through the JDK's plain connection: both must get the same TLS). The CA
 * comes from {@code caFile} or a Docker {@code certs.d} folder; without it the pull fails with a TLS error; with
 * {@code clientcas} the registry demands Wharf's client certificate.
 */
class UpstreamTlsIT {
    private static final String UPSTREAM = "secure.test";

    @TempDir
    Path dir;

    private RegistryProcess registry;
    private SeededImage image;
    private TestCa ca;
    private Path caPem;
    private CapturedLogs logs;

    @BeforeEach
    void seed() {
        logs = CapturedLogs.start();
        registry = RegistryProcess.anonymous();
        image = ImageSeeder.of(registry).seedImage("team/app", List.of("1"), ImageFormat.OCI, "amd64", 2);
        ca = TestCa.create("Wharf test CA");
        caPem = ca.writeCertificate(dir.resolve("ca.pem"));
        ca.issueServer(dir.resolve("server.pem"), dir.resolve("server.key"));
    }

    @AfterEach
    void stop() {
        registry.close();
        logs.close();
    }

    private void serve(boolean mutual) {
        registry.serveTls(
                dir.resolve("server.pem"), dir.resolve("server.key"), mutual ? Optional.of(caPem) : Optional.empty());
    }

    private RunningWharf wharf(String tls) throws InterruptedException {
        String yaml = "defaultUpstream: " + UPSTREAM + "\nupstreams:\n  - name: " + UPSTREAM + "\n    url: "
                + registry.url() + "\n" + (tls.isEmpty() ? "" : "    tls: " + tls + "\n");
        return RunningWharf.start(yaml, dir.resolve("data"));
    }

    @Test
    void caFileIsTrustedBesideTheSystemCas() throws Exception {
        serve(false);
        try (RunningWharf wharf = wharf("{caFile: " + caPem + "}")) {
            WharfPull.pull(wharf, UPSTREAM, image);
        }
    }

    @Test
    void aRotatedCaFileIsUsedWithoutARestart() throws Exception {
        SeededImage second =
                ImageSeeder.of(registry).seedImage("team/other", List.of("1"), ImageFormat.OCI, "amd64", 1);
        Path trusted = Files.copy(caPem, dir.resolve("trusted.pem"));
        serve(false);
        try (RunningWharf wharf = wharf("{caFile: " + trusted + "}")) {
            WharfPull.pull(wharf, UPSTREAM, image);
            TestCa rotated = TestCa.create("Wharf rotated test CA");
            rotated.issueServer(dir.resolve("server.pem"), dir.resolve("server.key"));
            registry.restart();
            assertEquals(
                    502,
                    WharfPull.manifest(wharf, UPSTREAM, second).status(),
                    "the server's new certificate is not trusted before the CA file changes");

            rotated.writeCertificate(trusted);

            WharfPull.pull(wharf, UPSTREAM, second);
        }
        assertTrue(
                logs.lines().stream().anyMatch(line -> line.contains("upstream " + UPSTREAM + ": TLS files changed")),
                String.join("\n", logs.lines()));
    }

    @Test
    void certsDirInDockersLayoutForHostAndPort() throws Exception {
        serve(false);
        Path certsD = dir.resolve("certs.d");
        Files.createDirectories(certsD.resolve(registry.host()));
        Files.copy(caPem, certsD.resolve(registry.host()).resolve("ca.crt"));

        try (RunningWharf wharf = wharf("{certsDir: " + certsD + "}")) {
            WharfPull.pull(wharf, UPSTREAM, image);
        }
    }

    @Test
    void withoutTheCaThePullFailsWithATlsError() throws Exception {
        serve(false);
        try (RunningWharf wharf = wharf("")) {
            WharfPull.Answer answer = WharfPull.manifest(wharf, UPSTREAM, image);

            assertEquals(502, answer.status(), answer.body());
        }
        assertTrue(
                logs.lines().stream()
                        .anyMatch(line -> line.contains("GET /v2/team/app/manifests/1 failed: TLS handshake failed:")
                                && line.contains("PKIX path building failed")),
                String.join("\n", logs.lines()));
    }

    @Test
    void insecureSkipVerifyAcceptsTheUnknownCaAndWarnsAtStartUp() throws Exception {
        serve(false);
        try (RunningWharf wharf = wharf("{insecureSkipVerify: true}")) {
            WharfPull.pull(wharf, UPSTREAM, image);
        }
        assertTrue(
                logs.lines().stream()
                        .anyMatch(line ->
                                line.startsWith("WARN upstream " + UPSTREAM + ": tls.insecureSkipVerify is on")),
                String.join("\n", logs.lines()));
    }

    @Test
    void mutualTlsWithCertFileAndAnEcKey() throws Exception {
        serve(true);
        ca.issueClient(dir.resolve("client.pem"), dir.resolve("client.key"), true);
        assertTrue(Files.readString(dir.resolve("client.key")).startsWith("-----BEGIN EC PRIVATE KEY-----"));

        try (RunningWharf wharf = wharf("{caFile: " + caPem + ", certFile: " + dir.resolve("client.pem") + ", keyFile: "
                + dir.resolve("client.key") + "}")) {
            WharfPull.pull(wharf, UPSTREAM, image);
        }
    }

    @Test
    void mutualTlsFromCertsDirWithAnRsaKey() throws Exception {
        serve(true);
        Path host = Files.createDirectories(dir.resolve("certs.d").resolve(registry.host()));
        Files.copy(caPem, host.resolve("ca.crt"));
        ca.issueClient(host.resolve("client.cert"), host.resolve("client.key"), false);
        assertTrue(Files.readString(host.resolve("client.key")).startsWith("-----BEGIN RSA PRIVATE KEY-----"));

        try (RunningWharf wharf = wharf("{certsDir: " + dir.resolve("certs.d") + "}")) {
            WharfPull.pull(wharf, UPSTREAM, image);
        }
    }

    @Test
    void mutualTlsWithoutAClientCertificateFails() throws Exception {
        serve(true);
        try (RunningWharf wharf = wharf("{caFile: " + caPem + "}")) {
            WharfPull.Answer answer = WharfPull.manifest(wharf, UPSTREAM, image);

            assertEquals(502, answer.status(), answer.body());
        }
    }
}
