package dev.wharf.proxy.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.storage.Digest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabIT {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Skopeo skopeo = new Skopeo(Duration.ofSeconds(30));

    @Test
    void anonymousRegistryServesEverySeededTagWithItsDigest() throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            SeededSet seeded = ImageSeeder.of(registry).seedStandard();

            assertSkopeoSeesExactManifests(registry, seeded, Optional.empty());
            assertEquals(200, get(registry.url().resolve("/v2/"), null).statusCode());
        }
    }

    @Test
    void seedingTheSameSetTwiceGivesTheSameDigests() {
        try (RegistryProcess first = RegistryProcess.anonymous();
                RegistryProcess second = RegistryProcess.anonymous()) {
            assertEquals(
                    ImageSeeder.of(first).seedStandard(), ImageSeeder.of(second).seedStandard());
        }
    }

    @Test
    void basicRegistryRefusesAnonymousAndServesSeededImagesWithCredentials() throws Exception {
        try (RegistryProcess registry = RegistryProcess.basic("puller", "s3cret pass")) {
            HttpResponse<byte[]> anonymous = get(registry.url().resolve("/v2/"), null);
            assertEquals(401, anonymous.statusCode());
            assertTrue(anonymous
                    .headers()
                    .firstValue("WWW-Authenticate")
                    .orElse("")
                    .startsWith("Basic "));

            SeededSet seeded = ImageSeeder.of(registry).seedStandard();

            assertSkopeoSeesExactManifests(registry, seeded, registry.credentials());
            CommandResult wrong = skopeo.run(
                    "inspect",
                    "--raw",
                    "--tls-verify=false",
                    "--retry-times",
                    "0",
                    "--creds",
                    "puller:wrong",
                    "docker://" + registry.host() + "/" + seeded.alpine().reference());
            assertNotEquals(0, wrong.exitCode(), wrong.describe());
        }
    }

    @Test
    void tokenRegistryServesSeededImagesToTokenHolders() throws Exception {
        try (TokenServer tokens = new TokenServer("tokenuser", "tokenpass");
                RegistryProcess registry = RegistryProcess.token(tokens)) {
            HttpResponse<byte[]> anonymous = get(registry.url().resolve("/v2/"), null);
            assertEquals(401, anonymous.statusCode());
            String challenge =
                    anonymous.headers().firstValue("WWW-Authenticate").orElse("");
            assertTrue(challenge.startsWith("Bearer realm=\"" + tokens.realm() + "\""), challenge);

            SeededSet seeded = ImageSeeder.of(registry).seedStandard();
            int afterSeeding = tokens.tokenRequests();
            assertTrue(afterSeeding >= 4, "one token per seeded repository, got " + afterSeeding);

            assertSkopeoSeesExactManifests(registry, seeded, registry.credentials());
            assertTrue(tokens.tokenRequests() > afterSeeding, "skopeo fetched tokens");
            CommandResult noCreds = skopeo.run(
                    "inspect",
                    "--raw",
                    "--tls-verify=false",
                    "--retry-times",
                    "0",
                    "--no-creds",
                    "docker://" + registry.host() + "/" + seeded.alpine().reference());
            assertNotEquals(0, noCreds.exitCode(), noCreds.describe());
        }
    }

    @Test
    void accessLogCountsTheManifestGetsThatReachedTheRegistry() throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            SeededImage alpine = ImageSeeder.of(registry).seedStandard().alpine();
            String byDigest = "/v2/library/alpine/manifests/" + alpine.manifestDigest();
            registry.clearRequests();
            assertEquals(0, registry.count("GET", p -> p.contains("/manifests/")));

            for (int i = 0; i < 2; i++) {
                HttpResponse<byte[]> response = get(registry.url().resolve(byDigest), MediaTypes.ACCEPT_ALL_MANIFESTS);
                assertEquals(200, response.statusCode());
                assertEquals(
                        alpine.manifestDigest(), Digest.sha256(response.body()).toString());
            }
            get(
                    registry.url()
                            .resolve("/v2/library/alpine/blobs/"
                                    + alpine.blobDigests().get(0)),
                    null);

            assertEquals(2, registry.count("GET", byDigest::equals));
            assertEquals(1, registry.count("GET", p -> p.contains("/blobs/")));
            AccessLogEntry last = registry.requestsSettled().get(2);
            assertEquals(200, last.status());
            registry.clearRequests();
            assertEquals(List.of(), registry.requestsSettled());
        }
    }

    @Test
    void lyingUpstreamServesBytesThatDoNotMatchTheRequestedDigest() throws Exception {
        try (LyingUpstream liar = new LyingUpstream()) {
            String asked = Digest.sha256("what the client wants".getBytes()).toString();
            URI blob = liar.url().resolve("/v2/library/alpine/blobs/" + asked);

            HttpResponse<byte[]> response = get(blob, null);
            HttpResponse<Void> head = HTTP.send(
                    HttpRequest.newBuilder(blob)
                            .method("HEAD", HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            HttpResponse<byte[]> manifest = get(liar.url().resolve("/v2/library/alpine/manifests/3.19"), null);

            assertEquals(200, response.statusCode());
            assertEquals(
                    asked,
                    response.headers().firstValue("Docker-Content-Digest").orElseThrow());
            assertNotEquals(asked, Digest.sha256(response.body()).toString());
            assertEquals(
                    String.valueOf(response.body().length),
                    response.headers().firstValue("Content-Length").orElseThrow());
            assertEquals(
                    String.valueOf(liar.lie().length),
                    head.headers().firstValue("Content-Length").orElseThrow());
            assertNotEquals(
                    manifest.headers().firstValue("Docker-Content-Digest").orElseThrow(),
                    Digest.sha256(manifest.body()).toString());
            assertEquals(1, liar.count("GET", p -> p.contains("/blobs/")));
            assertEquals(1, liar.count("HEAD", p -> p.contains("/blobs/")));
            assertEquals(1, liar.count("GET", p -> p.contains("/manifests/")));
        }
    }

    @Test
    void containerdPullsASeededImageThroughAHostsDirMirror(@TempDir Path hosts) {
        try (RegistryProcess registry = RegistryProcess.anonymous();
                Containerd containerd = Containerd.start()) {
            SeededImage alpine = ImageSeeder.of(registry).seedStandard().alpine();
            Containerd.writeHostsToml(hosts, "docker.io", registry.url().toString());
            registry.clearRequests();

            containerd.pull("docker.io/library/alpine:3.19", hosts);

            assertEquals(Optional.of(alpine.manifestDigest()), containerd.imageDigest("docker.io/library/alpine:3.19"));
            for (String blob : alpine.blobDigests()) {
                assertEquals(1, registry.count("GET", ("/v2/library/alpine/blobs/" + blob)::equals), blob);
            }
            assertTrue(
                    registry.requestsSettled().stream()
                            .filter(e -> e.path().startsWith("/v2/library/"))
                            .allMatch(e -> e.query().orElse("").contains("ns=docker.io")),
                    () -> "containerd names the original registry: " + registry.requests());
        }
    }

    @Test
    void containerdUsesTheDefaultHostsTomlForAnyRegistry(@TempDir Path hosts) {
        try (RegistryProcess registry = RegistryProcess.anonymous();
                Containerd containerd = Containerd.start()) {
            SeededSet seeded = ImageSeeder.of(registry).seedStandard();
            Containerd.writeHostsToml(hosts, "_default", registry.url().toString());
            registry.clearRequests();

            containerd.pull("registry.example/org/ociindex:v2", hosts);

            assertEquals(
                    Optional.of(seeded.ociIndex().manifestDigest()),
                    containerd.imageDigest("registry.example/org/ociindex:v2"));
            SeededImage amd64 = seeded.ociIndexPlatforms().get(0);
            assertEquals(1, registry.count("GET", ("/v2/org/ociindex/manifests/" + amd64.manifestDigest())::equals));
            assertEquals(
                    0,
                    registry.count(
                            "GET",
                            ("/v2/org/ociindex/manifests/"
                                    + seeded.ociIndexPlatforms().get(1).manifestDigest())::equals),
                    "only the host's platform is fetched");
            assertTrue(
                    registry.requestsSettled().stream()
                            .filter(e -> e.path().startsWith("/v2/org/"))
                            .allMatch(e -> e.query().orElse("").contains("ns=registry.example")),
                    () -> "containerd names the original registry: " + registry.requests());
        }
    }

    @Test
    void frozenRegistryLeavesRequestsHangingUntilThawed() throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            HttpRequest ping = HttpRequest.newBuilder(registry.url().resolve("/v2/"))
                    .timeout(Duration.ofMillis(300))
                    .build();
            registry.freeze();
            assertThrows(HttpTimeoutException.class, () -> HTTP.send(ping, HttpResponse.BodyHandlers.discarding()));
            registry.thaw();
            HttpRequest patient = HttpRequest.newBuilder(registry.url().resolve("/v2/"))
                    .timeout(Duration.ofSeconds(5))
                    .build();
            assertEquals(
                    200,
                    HTTP.send(patient, HttpResponse.BodyHandlers.discarding()).statusCode());
        }
    }

    @Test
    void stoppedRegistryRefusesConnectionsAndRestartsWithItsData() throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            SeededImage alpine =
                    ImageSeeder.of(registry).seedImage("library/tiny", List.of("1"), ImageFormat.OCI, "amd64", 1);
            registry.stop();
            assertThrows(IOException.class, () -> get(registry.url().resolve("/v2/"), null));
            registry.restart();
            HttpResponse<byte[]> manifest =
                    get(registry.url().resolve("/v2/library/tiny/manifests/1"), MediaTypes.ACCEPT_ALL_MANIFESTS);
            assertEquals(alpine.manifestDigest(), Digest.sha256(manifest.body()).toString());
        }
    }

    @Test
    void largeLayerIsStreamedAndCopiedIntact(@TempDir Path out) throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            long fileBytes = 8L * 1024 * 1024 + 123;
            SeededImage large = ImageSeeder.of(registry).seedLarge("perf/large", "1", fileBytes);

            skopeo.copyToDir(registry.host() + "/" + large.reference(), out);

            String layer = large.blobDigests().get(1);
            Path copied = out.resolve(Digest.parse(layer).encoded());
            assertTrue(Files.size(copied) > fileBytes, "layer holds the generated file plus tar/gzip framing");
            assertEquals(layer, Digest.sha256(Files.readAllBytes(copied)).toString());
        }
    }

    @Test
    void missingToolNamesTheDebianPackage() {
        IllegalStateException missing = assertThrows(
                IllegalStateException.class, () -> Tools.require("wharf-no-such-binary", "wharf-no-such-package"));
        assertTrue(missing.getMessage().contains("apt-get install -y wharf-no-such-package"), missing.getMessage());
    }

    private void assertSkopeoSeesExactManifests(
            RegistryProcess registry, SeededSet seeded, Optional<Credentials> credentials) {
        for (SeededImage image : seeded.all()) {
            for (String tag : image.tags()) {
                byte[] raw = skopeo.inspectRaw(registry.host() + "/" + image.repository() + ":" + tag, credentials);
                assertEquals(image.manifestDigest(), Digest.sha256(raw).toString(), image.repository() + ":" + tag);
            }
        }
        SeededImage arm = seeded.ociIndexPlatforms().get(1);
        byte[] raw = skopeo.inspectRaw(registry.host() + "/" + arm.reference(), credentials);
        assertEquals(arm.manifestDigest(), Digest.sha256(raw).toString());
    }

    private static HttpResponse<byte[]> get(URI uri, String accept) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
        if (accept != null) {
            request.header("Accept", accept);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
