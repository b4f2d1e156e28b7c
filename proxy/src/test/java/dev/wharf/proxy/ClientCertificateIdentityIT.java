package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.lab.FreePort;
import dev.wharf.proxy.lab.ImageFormat;
import dev.wharf.proxy.lab.ImageSeeder;
import dev.wharf.proxy.lab.RegistryProcess;
import dev.wharf.proxy.lab.RunningWharf;
import dev.wharf.proxy.lab.SeededImage;
import dev.wharf.proxy.lab.TestCa;
import dev.wharf.proxy.lab.TlsClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS as client authentication: with {@code clientAuth: optional} and {@code auth.clientCertificates}, the
 * subject CN of a verified client certificate is the user the access rules see; a client without one is challenged;
 * the real distribution registry upstream sees nothing of the refused requests.
 */
class ClientCertificateIdentityIT {
    private static final String UPSTREAM = "registry.test";

    @TempDir
    Path dir;

    @Test
    void theCertificatesCommonNameIsTheUserTheAccessRulesSee() throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            SeededImage image =
                    ImageSeeder.of(registry).seedImage("team/app", List.of("1"), ImageFormat.OCI, "amd64", 1);
            TestCa ca = TestCa.create("Wharf serving CA");
            Path caPem = ca.writeCertificate(dir.resolve("ca.pem"));
            ca.issueServer(dir.resolve("tls.crt"), dir.resolve("tls.key"));
            TestCa clients = TestCa.create("Wharf clients CA");
            Path clientsCa = clients.writeCertificate(dir.resolve("clients-ca.pem"));
            clients.issueClient(dir.resolve("builder.crt"), dir.resolve("builder.key"), true, "builder");
            clients.issueClient(dir.resolve("intern.crt"), dir.resolve("intern.key"), false, "intern");
            String yaml = RunningWharf.singleUpstream(UPSTREAM, registry) + "tlsListen: 127.0.0.1:" + FreePort.find()
                    + "\ntls: {certFile: " + dir.resolve("tls.crt") + ", keyFile: " + dir.resolve("tls.key")
                    + ", clientCaFile: " + clientsCa + ", clientAuth: optional}\n"
                    + "auth: {clientCertificates: true}\n"
                    + "access: [{upstream: " + UPSTREAM + ", users: [builder]}]\n";
            try (RunningWharf wharf = RunningWharf.start(yaml, dir.resolve("data"))) {
                int port = wharf.wharf().tlsAddress().orElseThrow().getPort();
                String manifest = "/v2/" + UPSTREAM + "/team/app/manifests/1";
                registry.clearRequests();

                try (TlsClient anonymous =
                        TlsClient.connect(TlsClient.context(caPem, Optional.empty(), Optional.empty()), port)) {
                    TlsClient.Response response = anonymous.get(manifest, Map.of());
                    assertEquals(401, response.status());
                    assertTrue(response.text().contains("UNAUTHORIZED"), response.text());
                }
                try (TlsClient intern = TlsClient.connect(
                        TlsClient.context(
                                caPem, Optional.of(dir.resolve("intern.crt")), Optional.of(dir.resolve("intern.key"))),
                        port)) {
                    assertEquals(200, intern.get("/v2/", Map.of()).status(), "known, so /v2/ answers");
                    TlsClient.Response response = intern.get(manifest, Map.of());
                    assertEquals(403, response.status());
                    assertTrue(response.text().contains("\"code\":\"DENIED\""), response.text());
                }
                assertEquals(List.of(), registry.requests(), "refused requests reach no upstream");

                try (TlsClient builder = TlsClient.connect(
                        TlsClient.context(
                                caPem,
                                Optional.of(dir.resolve("builder.crt")),
                                Optional.of(dir.resolve("builder.key"))),
                        port)) {
                    TlsClient.Response response =
                            builder.get(manifest, Map.of("Accept", "application/vnd.oci.image.manifest.v1+json"));
                    assertEquals(200, response.status(), response.text());
                    assertEquals(image.manifestDigest(), response.headers().get("docker-content-digest"));
                }
            }
        }
    }
}
