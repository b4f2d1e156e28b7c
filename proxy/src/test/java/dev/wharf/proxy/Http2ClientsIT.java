package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.proxy.lab.CommandResult;
import dev.wharf.proxy.lab.Containerd;
import dev.wharf.proxy.lab.FreePort;
import dev.wharf.proxy.lab.ImageFormat;
import dev.wharf.proxy.lab.ImageSeeder;
import dev.wharf.proxy.lab.RegistryProcess;
import dev.wharf.proxy.lab.RunningWharf;
import dev.wharf.proxy.lab.SeededImage;
import dev.wharf.proxy.lab.Skopeo;
import dev.wharf.proxy.lab.TestCa;
import dev.wharf.proxy.lab.TlsClient;
import dev.wharf.proxy.lab.Tools;
import dev.wharf.storage.Digest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 on the TLS listener with real clients and the real distribution registry upstream, the access log naming the
 * protocol of every request: curl (nghttp2) and Java's HTTP client negotiate {@code h2} by ALPN and pull an image's
 * manifest and blobs byte-exact, multiplexed on one connection, one upstream fetch per blob; a client certificate shown
 * on an HTTP/2 connection identifies its streams' user. Clients that offer no ALPN (skopeo 1.9 and containerd 1.6 here:
 * Go turns HTTP/2 off when given its own TLS configuration) and clients offering only {@code http/1.1} are served
 * HTTP/1.1 on the same listener, and the plain listener stays HTTP/1.1.
 */
class Http2ClientsIT {
    private static final String UPSTREAM = "registry.test";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private RegistryProcess registry;
    private Path caPem;
    private Path accessLog;

    @BeforeEach
    void seed() {
        registry = RegistryProcess.anonymous();
        TestCa ca = TestCa.create("Wharf h2 CA");
        caPem = ca.writeCertificate(dir.resolve("ca.pem"));
        ca.issueServer(dir.resolve("tls.crt"), dir.resolve("tls.key"));
        accessLog = dir.resolve("access.log");
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    private RunningWharf wharf() throws InterruptedException {
        String yaml = RunningWharf.singleUpstream(UPSTREAM, registry) + "tlsListen: 127.0.0.1:" + FreePort.find()
                + "\ntls: {certFile: " + dir.resolve("tls.crt") + ", keyFile: " + dir.resolve("tls.key") + "}\n"
                + "accessLog: " + accessLog + "\n";
        return RunningWharf.start(yaml, dir.resolve("data"));
    }

    @Test
    void skopeoOfferingNoAlpnPullsOverHttp11OnTheSameListener() throws Exception {
        SeededImage image = ImageSeeder.of(registry).seedImage("team/app", List.of("1"), ImageFormat.OCI, "amd64", 3);
        Path certDir = Files.createDirectories(dir.resolve("certs"));
        Files.copy(caPem, certDir.resolve("ca.crt"));
        String ref = "docker://127.0.0.1:%d/" + UPSTREAM + "/" + image.reference();
        try (RunningWharf wharf = wharf()) {
            int port = wharf.wharf().tlsAddress().orElseThrow().getPort();
            for (String round : List.of("out-miss", "out-hit")) {
                Path out = dir.resolve(round);
                skopeo(certDir, "copy", ref.formatted(port), "dir:" + out).requireSuccess();
                for (String blob : image.blobDigests()) {
                    Path file = out.resolve(Digest.parse(blob).encoded());
                    assertEquals(blob, sha256(Files.readAllBytes(file)), round + ": the bytes of " + blob);
                }
                assertEquals(
                        image.manifestDigest(),
                        sha256(Files.readAllBytes(out.resolve("manifest.json"))),
                        round + ": the manifest");
            }
            byte[] raw = new Skopeo()
                    .run(
                            "--insecure-policy",
                            "inspect",
                            "--raw",
                            "--cert-dir",
                            certDir.toString(),
                            "--no-creds",
                            ref.formatted(port))
                    .requireSuccess()
                    .stdout();
            assertEquals(image.manifestDigest(), sha256(raw), "skopeo inspect --raw");
        }
        for (String blob : image.blobDigests()) {
            assertEquals(1, registry.count("GET", p -> p.endsWith("/blobs/" + blob)), "one upstream fetch of " + blob);
        }
        List<JsonNode> entries = entries();
        List<JsonNode> blobGets = entries.stream()
                .filter(e -> e.get("method").asText().equals("GET")
                        && e.get("uri").asText().contains("/blobs/"))
                .toList();
        assertEquals(2 * image.blobDigests().size(), blobGets.size(), "a GET of each blob per copy: " + entries);
        for (JsonNode entry : entries) {
            assertEquals("HTTP/1.1", entry.get("protocol").asText(), "skopeo offers no ALPN: " + entry);
        }
        assertTrue(blobGets.stream().anyMatch(e -> e.get("cache").asText().equals("hit")), entries.toString());
    }

    @Test
    void containerdOfferingNoAlpnPullsOverHttp11TrustingTheCaOfHostsToml() throws Exception {
        SeededImage image =
                ImageSeeder.of(registry).seedImage("team/node", List.of("2"), ImageFormat.DOCKER, "amd64", 2);
        String reference = UPSTREAM + "/" + image.reference();
        try (RunningWharf wharf = wharf();
                Containerd containerd = Containerd.start()) {
            Path hosts = dir.resolve("hosts");
            Containerd.writeHostsToml(hosts, UPSTREAM, wharf.tlsUrl().toString(), caPem, Map.of());
            containerd.pullAsConfigured(reference, hosts).requireSuccess();
            assertEquals(Optional.of(image.manifestDigest()), containerd.imageDigest(reference));
        }
        for (String blob : image.blobDigests()) {
            assertEquals(1, registry.count("GET", p -> p.endsWith("/blobs/" + blob)), "one upstream fetch of " + blob);
        }
        List<JsonNode> entries = entries();
        assertTrue(
                entries.stream().anyMatch(e -> e.get("uri").asText().contains("/blobs/")),
                "containerd fetched the blobs through Wharf: " + entries);
        for (JsonNode entry : entries) {
            assertEquals("HTTP/1.1", entry.get("protocol").asText(), "containerd offers no ALPN: " + entry);
            assertTrue(entry.get("userAgent").asText().startsWith("containerd"), entry.toString());
        }
    }

    @Test
    void curlPullsAnImageOverHttp2MultiplexedOnOneConnection() throws Exception {
        SeededImage image = ImageSeeder.of(registry).seedImage("team/h2", List.of("1"), ImageFormat.OCI, "amd64", 3);
        Path curl = Tools.require("curl", "curl");
        List<String> args = new ArrayList<>(List.of("--http2", "--parallel", "--cacert", caPem.toString()));
        try (RunningWharf wharf = wharf()) {
            String base = wharf.tlsUrl() + "/v2/" + UPSTREAM + "/team/h2/";
            args.addAll(List.of(
                    "-H",
                    "Accept: " + image.mediaType(),
                    "-o",
                    dir.resolve("manifest").toString(),
                    base + "manifests/1"));
            for (String blob : image.blobDigests()) {
                args.addAll(
                        List.of("-o", dir.resolve(Digest.parse(blob).encoded()).toString(), base + "blobs/" + blob));
            }
            CommandResult pulled = curl(curl, args.toArray(String[]::new));
            assertEquals(0, pulled.exitCode(), pulled.describe());
            assertEquals(
                    java.util.Collections.nCopies(1 + image.blobDigests().size(), "200 2"),
                    pulled.stdoutText().strip().lines().toList(),
                    pulled.describe());
        }
        assertEquals(image.manifestDigest(), sha256(Files.readAllBytes(dir.resolve("manifest"))));
        for (String blob : image.blobDigests()) {
            assertEquals(
                    blob,
                    sha256(Files.readAllBytes(dir.resolve(Digest.parse(blob).encoded()))));
            assertEquals(1, registry.count("GET", p -> p.endsWith("/blobs/" + blob)), "one upstream fetch of " + blob);
        }
        List<JsonNode> entries = entries();
        assertEquals(1 + image.blobDigests().size(), entries.size(), entries.toString());
        for (JsonNode entry : entries) {
            assertEquals("HTTP/2", entry.get("protocol").asText(), entry.toString());
            assertEquals(200, entry.get("status").asInt(), entry.toString());
            assertEquals("127.0.0.1", entry.get("remote").asText(), "the connection's address: " + entry);
            assertTrue(entry.get("userAgent").asText().startsWith("curl/"), entry.toString());
        }
    }

    @Test
    void javasHttpClientFetchesAnImagesBlobsConcurrentlyOverHttp2() throws Exception {
        SeededImage image = ImageSeeder.of(registry).seedImage("team/java", List.of("1"), ImageFormat.OCI, "amd64", 4);
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_2)
                .sslContext(TlsClient.context(caPem, Optional.empty(), Optional.empty()))
                .build();
        try (RunningWharf wharf = wharf()) {
            String base = wharf.tlsUrl() + "/v2/" + UPSTREAM + "/team/java/blobs/";
            List<CompletableFuture<HttpResponse<byte[]>>> pending = new ArrayList<>();
            for (String blob : image.blobDigests()) {
                pending.add(http.sendAsync(
                        HttpRequest.newBuilder(URI.create(base + blob))
                                .timeout(Duration.ofSeconds(60))
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray()));
            }
            for (int i = 0; i < pending.size(); i++) {
                HttpResponse<byte[]> response = pending.get(i).get(60, TimeUnit.SECONDS);
                assertEquals(200, response.statusCode());
                assertEquals(HttpClient.Version.HTTP_2, response.version());
                assertEquals(image.blobDigests().get(i), sha256(response.body()));
                assertTrue(response.headers().firstValue("connection").isEmpty(), "no connection header on HTTP/2");
            }
        }
        for (String blob : image.blobDigests()) {
            assertEquals(1, registry.count("GET", p -> p.endsWith("/blobs/" + blob)), "one upstream fetch of " + blob);
        }
        for (JsonNode entry : entries()) {
            assertEquals("HTTP/2", entry.get("protocol").asText(), entry.toString());
        }
    }

    @Test
    void aClientOfferingOnlyHttp11IsServedHttp11AndThePlainListenerStaysHttp11() throws Exception {
        SeededImage image = ImageSeeder.of(registry).seedImage("team/old", List.of("3"), ImageFormat.OCI, "amd64", 1);
        String blob = image.blobDigests().get(0);
        String path = "/v2/" + UPSTREAM + "/team/old/blobs/" + blob;
        Path curl = Tools.require("curl", "curl");
        try (RunningWharf wharf = wharf()) {
            Path tlsBody = dir.resolve("tls-body");
            CommandResult tls = curl(
                    curl, "--http1.1", "--cacert", caPem.toString(), "-o", tlsBody.toString(), wharf.tlsUrl() + path);
            assertEquals("200 1.1", tls.stdoutText().strip(), tls.describe());
            assertEquals(blob, sha256(Files.readAllBytes(tlsBody)));

            Path h2Body = dir.resolve("h2-body");
            CommandResult h2 =
                    curl(curl, "--http2", "--cacert", caPem.toString(), "-o", h2Body.toString(), wharf.tlsUrl() + path);
            assertEquals("200 2", h2.stdoutText().strip(), h2.describe());
            assertEquals(blob, sha256(Files.readAllBytes(h2Body)));

            // Plain HTTP never upgrades, even when asked to (h2c is not offered).
            Path plainBody = dir.resolve("plain-body");
            CommandResult plain = curl(curl, "--http2", "-o", plainBody.toString(), wharf.url() + path);
            assertEquals("200 1.1", plain.stdoutText().strip(), plain.describe());
            assertEquals(blob, sha256(Files.readAllBytes(plainBody)));
        }
        List<String> protocols = new ArrayList<>();
        for (JsonNode entry : entries()) {
            protocols.add(entry.get("protocol").asText());
        }
        assertEquals(List.of("HTTP/1.1", "HTTP/2", "HTTP/1.1"), protocols);
        assertEquals(1, registry.count("GET", p -> p.endsWith("/blobs/" + blob)), "one upstream fetch");
    }

    @Test
    void aClientCertificateOnAnHttp2StreamIdentifiesTheUserTheAccessRulesSee() throws Exception {
        SeededImage image = ImageSeeder.of(registry).seedImage("team/app", List.of("1"), ImageFormat.OCI, "amd64", 1);
        TestCa clients = TestCa.create("Wharf h2 clients CA");
        Path clientsCa = clients.writeCertificate(dir.resolve("clients-ca.pem"));
        clients.issueClient(dir.resolve("builder.crt"), dir.resolve("builder.key"), true, "builder");
        clients.issueClient(dir.resolve("intern.crt"), dir.resolve("intern.key"), false, "intern");
        String yaml = RunningWharf.singleUpstream(UPSTREAM, registry) + "tlsListen: 127.0.0.1:" + FreePort.find()
                + "\ntls: {certFile: " + dir.resolve("tls.crt") + ", keyFile: " + dir.resolve("tls.key")
                + ", clientCaFile: " + clientsCa + ", clientAuth: optional}\n"
                + "auth: {clientCertificates: true}\n"
                + "access: [{upstream: " + UPSTREAM + ", users: [builder]}]\n"
                + "accessLog: " + accessLog + "\n";
        Path curl = Tools.require("curl", "curl");
        String manifest = "/v2/" + UPSTREAM + "/team/app/manifests/1";
        registry.clearRequests();
        try (RunningWharf wharf = RunningWharf.start(yaml, dir.resolve("data"))) {
            String url = wharf.tlsUrl() + manifest;
            String ca = caPem.toString();
            Path body = dir.resolve("body");
            CommandResult anonymous = curl(curl, "--http2", "--cacert", ca, "-o", body.toString(), url);
            assertEquals("401 2", anonymous.stdoutText().strip(), anonymous.describe());
            CommandResult intern = curl(
                    curl,
                    "--http2",
                    "--cacert",
                    ca,
                    "--cert",
                    dir.resolve("intern.crt").toString(),
                    "--key",
                    dir.resolve("intern.key").toString(),
                    "-o",
                    body.toString(),
                    url);
            assertEquals("403 2", intern.stdoutText().strip(), intern.describe());
            assertEquals(List.of(), registry.requests(), "refused requests reach no upstream");
            CommandResult builder = curl(
                    curl,
                    "--http2",
                    "--cacert",
                    ca,
                    "--cert",
                    dir.resolve("builder.crt").toString(),
                    "--key",
                    dir.resolve("builder.key").toString(),
                    "-H",
                    "Accept: application/vnd.oci.image.manifest.v1+json",
                    "-o",
                    body.toString(),
                    url);
            assertEquals("200 2", builder.stdoutText().strip(), builder.describe());
            assertEquals(image.manifestDigest(), sha256(Files.readAllBytes(body)));
        }
        for (JsonNode entry : entries()) {
            assertEquals("HTTP/2", entry.get("protocol").asText(), entry.toString());
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return "sha256:"
                + java.util.HexFormat.of()
                        .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                                .digest(bytes));
    }

    private static CommandResult curl(Path curl, String... args) throws IOException, InterruptedException {
        List<String> command =
                new ArrayList<>(List.of(curl.toString(), "-sS", "-w", "%{http_code} %{http_version}\\n"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("curl did not finish: " + command);
        }
        return new CommandResult(
                command,
                process.exitValue(),
                process.getInputStream().readAllBytes(),
                new String(process.getErrorStream().readAllBytes()));
    }

    private static CommandResult skopeo(Path certDir, String command, String src, String dest) {
        return new Skopeo()
                .run(
                        "--insecure-policy",
                        command,
                        "--retry-times",
                        "0",
                        "--src-no-creds",
                        "--src-cert-dir",
                        certDir.toString(),
                        src,
                        dest);
    }

    /** The access log's entries, once the writer has written all of them (Wharf is closed by now). */
    private List<JsonNode> entries() throws IOException {
        List<JsonNode> entries = new ArrayList<>();
        for (String line : Files.readAllLines(accessLog)) {
            entries.add(JSON.readTree(line));
        }
        assertFalse(entries.isEmpty(), "the access log has entries");
        return entries;
    }
}
