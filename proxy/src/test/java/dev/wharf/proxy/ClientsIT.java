package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.lab.CommandResult;
import dev.wharf.proxy.lab.Containerd;
import dev.wharf.proxy.lab.Credentials;
import dev.wharf.proxy.lab.ImageSeeder;
import dev.wharf.proxy.lab.LyingUpstream;
import dev.wharf.proxy.lab.RegistryProcess;
import dev.wharf.proxy.lab.RunningWharf;
import dev.wharf.proxy.lab.SeededImage;
import dev.wharf.proxy.lab.SeededSet;
import dev.wharf.proxy.lab.Skopeo;
import dev.wharf.proxy.lab.TokenServer;
import dev.wharf.storage.Digest;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Real clients (skopeo, containerd's ctr) pulling through a real Wharf from a real distribution registry. */
class ClientsIT {
    private static final String UPSTREAM = "up.test";
    private final Skopeo skopeo = new Skopeo();

    enum Auth {
        ANONYMOUS,
        BASIC,
        TOKEN
    }

    @ParameterizedTest
    @EnumSource(Auth.class)
    void skopeoPullsEverySeededImageOnceThenFromTheCache(Auth auth, @TempDir Path data, @TempDir Path out)
            throws Exception {
        try (TokenServer tokens = new TokenServer("tokenuser", "tokenpass");
                RegistryProcess registry = registry(auth, tokens)) {
            SeededSet seeded = ImageSeeder.of(registry).seedStandard();
            Optional<Credentials> creds = auth == Auth.TOKEN ? tokens.requiredCredentials() : registry.credentials();
            String realm = auth == Auth.TOKEN
                    ? "    authRealmHosts: ['" + tokens.realm().getAuthority() + "']\n"
                    : "";
            try (RunningWharf wharf = RunningWharf.start(upstreamYaml(registry, creds) + realm, data)) {
                pullAll(wharf, seeded, out.resolve("first"));
                registry.requestsSettled();
                registry.clearRequests();

                pullAll(wharf, seeded, out.resolve("second"));

                registry.requestsSettled();
                assertEquals(
                        0,
                        registry.count("GET", p -> p.contains("/blobs/")),
                        () -> "blobs fetched upstream again: " + registry.requests());
                assertEquals(
                        0,
                        registry.count("GET", p -> p.contains("/manifests/sha256:")),
                        () -> "manifests by digest fetched upstream again: " + registry.requests());
            }
        }
    }

    /** Copies every seeded image through Wharf by path prefix and by root; skopeo verifies every digest. */
    private void pullAll(RunningWharf wharf, SeededSet seeded, Path out) throws IOException {
        Files.createDirectories(out);
        int n = 0;
        for (SeededImage image : seeded.all()) {
            for (String ref : List.of(
                    wharf.host() + "/" + UPSTREAM + "/" + image.reference(), wharf.host() + "/" + image.reference())) {
                Path dir = out.resolve(String.valueOf(n++));
                skopeo.copyToDir(ref, dir).requireSuccess();
                byte[] manifest = Files.readAllBytes(dir.resolve("manifest.json"));
                if (image.mediaType().contains("index") || image.mediaType().contains("list")) {
                    // skopeo copies the host's platform out of an index: it must be one the index lists.
                    String digest = Digest.sha256(manifest).toString();
                    assertTrue(
                            Stream.concat(seeded.multiPlatforms().stream(), seeded.ociIndexPlatforms().stream())
                                    .anyMatch(p -> p.manifestDigest().equals(digest)),
                            ref + " gave platform manifest " + digest);
                } else {
                    assertEquals(image.manifestDigest(), Digest.sha256(manifest).toString(), ref);
                }
            }
        }
    }

    @Test
    void containerdPullsThroughWharfAsDockerHubMirror(@TempDir Path data, @TempDir Path hosts) throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous();
                Containerd containerd = Containerd.start()) {
            SeededImage alpine = ImageSeeder.of(registry).seedStandard().alpine();
            String yaml =
                    "defaultUpstream: docker.io\nupstreams:\n  - name: docker.io\n    url: " + registry.url() + "\n";
            try (RunningWharf wharf = RunningWharf.start(yaml, data)) {
                Containerd.writeHostsToml(hosts, "docker.io", wharf.url().toString());
                registry.clearRequests();

                containerd.pull("docker.io/library/alpine:3.19", hosts);

                assertEquals(
                        Optional.of(alpine.manifestDigest()), containerd.imageDigest("docker.io/library/alpine:3.19"));
                for (String blob : alpine.blobDigests()) {
                    assertEquals(1, registry.count("GET", ("/v2/library/alpine/blobs/" + blob)::equals), blob);
                }
            }
        }
    }

    @Test
    void containerdPullsAnotherRegistryThroughTheDefaultMirrorByNs(@TempDir Path data, @TempDir Path hosts)
            throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous();
                Containerd containerd = Containerd.start()) {
            SeededSet seeded = ImageSeeder.of(registry).seedStandard();
            // docker.io stays the default upstream: only ns can make these requests reach registry.example.
            String yaml = "upstreams:\n  - name: docker.io\n    url: http://127.0.0.1:9\n"
                    + "  - name: registry.example\n    url: " + registry.url() + "\n";
            try (RunningWharf wharf = RunningWharf.start(yaml, data)) {
                Containerd.writeHostsToml(hosts, "_default", wharf.url().toString());

                containerd.pull("registry.example/org/ociindex:v2", hosts);
                containerd.pull("registry.example/org/ociapp:1.0", hosts);

                assertEquals(
                        Optional.of(seeded.ociIndex().manifestDigest()),
                        containerd.imageDigest("registry.example/org/ociindex:v2"));
                assertEquals(
                        Optional.of(seeded.ociApp().manifestDigest()),
                        containerd.imageDigest("registry.example/org/ociapp:1.0"));
            }
        }
    }

    @Test
    void lyingUpstreamLeavesNothingInTheCacheAndNoCompleteResponse(@TempDir Path data, @TempDir Path out)
            throws Exception {
        byte[] lie = "<html>rate limited</html>".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String wanted = "sha256:" + "ab".repeat(32);
        try (LyingUpstream liar = new LyingUpstream(lie)) {
            String yaml = "defaultUpstream: " + UPSTREAM + "\nupstreams:\n  - name: " + UPSTREAM + "\n    url: "
                    + liar.url() + "\n";
            try (RunningWharf wharf = RunningWharf.start(yaml, data)) {
                HttpClient http = HttpClient.newHttpClient();
                for (String path : List.of("/v2/org/app/blobs/" + wanted, "/v2/org/app/manifests/" + wanted)) {
                    HttpResponse<byte[]> first = http.send(
                            HttpRequest.newBuilder(wharf.url().resolve(path)).build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                    assertEquals(502, first.statusCode(), path);
                    assertTrue(new String(first.body(), java.nio.charset.StandardCharsets.UTF_8)
                            .contains("DIGEST_INVALID"));
                    assertNotEquals(lie.length, first.body().length);
                }
                CommandResult copy = skopeo.run(
                        "--insecure-policy",
                        "copy",
                        "--src-tls-verify=false",
                        "--retry-times",
                        "0",
                        "docker://" + wharf.host() + "/org/app@" + wanted,
                        "dir:" + out);
                assertNotEquals(0, copy.exitCode(), copy.describe());

                try (Stream<Path> files = Files.walk(data)) {
                    assertEquals(
                            List.of(),
                            files.filter(Files::isRegularFile)
                                    .filter(p ->
                                            p.startsWith(data.resolve("blobs")) || p.startsWith(data.resolve("tmp")))
                                    .toList(),
                            "nothing cached, nothing left half-written");
                }
                // Nothing was kept, so asking again reaches the upstream again.
                int before = liar.count("GET", p -> p.endsWith("/blobs/" + wanted));
                http.send(
                        HttpRequest.newBuilder(wharf.url().resolve("/v2/org/app/blobs/" + wanted))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                assertEquals(before + 1, liar.count("GET", p -> p.endsWith("/blobs/" + wanted)));
            }
        }
    }

    private static RegistryProcess registry(Auth auth, TokenServer tokens) {
        return switch (auth) {
            case ANONYMOUS -> RegistryProcess.anonymous();
            case BASIC -> RegistryProcess.basic("basicuser", "basicpass");
            case TOKEN -> RegistryProcess.token(tokens);
        };
    }

    private static String upstreamYaml(RegistryProcess registry, Optional<Credentials> creds) {
        StringBuilder yaml = new StringBuilder("defaultUpstream: " + UPSTREAM + "\nupstreams:\n  - name: " + UPSTREAM
                + "\n    url: " + registry.url() + "\n");
        creds.ifPresent(c -> yaml.append("    username: ")
                .append(c.user())
                .append("\n    password: ")
                .append(c.password())
                .append("\n"));
        return yaml.toString();
    }
}
