package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.lab.MediaTypes;
import dev.wharf.proxy.lab.RegistryApi;
import dev.wharf.proxy.lab.RegistryProcess;
import dev.wharf.proxy.lab.RunningWharf;
import dev.wharf.proxy.upstream.RegistryClient;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Private content stays private: a private registry behind htpasswd (reached with Wharf's credentials) and a public
 * one, real distribution registries both, whose images share a layer. Once the private image is cached, its manifest
 * and private layer are refused (404 MANIFEST_UNKNOWN / BLOB_UNKNOWN, as distribution answers for a blob its
 * repository does not link) through other repository paths and through the other upstream's name, every time; the
 * public image still pulls, its shared layer served from the cache without asking the public registry for it.
 */
class PrivateContentIT {
    private static final String PRIVATE = "private.test";
    private static final String PUBLIC = "public.test";
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;

    private RegistryProcess privateRegistry;
    private RegistryProcess publicRegistry;
    private RunningWharf wharf;
    private final Random random = new Random(11);
    private byte[] shared;
    private String sharedDigest;
    private String secretLayer;
    private String privateManifest;
    private String publicManifest;
    private String publicConfig;

    @BeforeEach
    void start() throws Exception {
        privateRegistry = RegistryProcess.basic("robot", "robot-password");
        publicRegistry = RegistryProcess.anonymous();
        shared = bytes(400_000);
        RegistryApi privateApi = RegistryApi.of(privateRegistry);
        RegistryApi publicApi = RegistryApi.of(publicRegistry);
        sharedDigest = privateApi.pushBlob("team/private", shared).toString();
        secretLayer = privateApi.pushBlob("team/private", bytes(300_000)).toString();
        byte[] privateConfig =
                "{\"architecture\":\"amd64\",\"os\":\"linux\",\"secret\":1}".getBytes(StandardCharsets.UTF_8);
        String privateConfigDigest =
                privateApi.pushBlob("team/private", privateConfig).toString();
        privateManifest = privateApi
                .pushManifest(
                        "team/private",
                        "1",
                        MediaTypes.OCI_MANIFEST,
                        manifest(
                                privateConfigDigest,
                                privateConfig.length,
                                List.of(sharedDigest, secretLayer),
                                List.of((long) shared.length, 300_000L)))
                .toString();

        publicApi.pushBlob("library/public", shared);
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        publicConfig = publicApi.pushBlob("library/public", config).toString();
        publicManifest = publicApi
                .pushManifest(
                        "library/public",
                        "1",
                        MediaTypes.OCI_MANIFEST,
                        manifest(publicConfig, config.length, List.of(sharedDigest), List.of((long) shared.length)))
                .toString();

        String yaml = "defaultUpstream: " + PUBLIC + "\nupstreams:\n"
                + "  - {name: " + PRIVATE + ", url: \"" + privateRegistry.url()
                + "\", username: robot, password: robot-password}\n"
                + "  - {name: " + PUBLIC + ", url: \"" + publicRegistry.url() + "\"}\n";
        wharf = RunningWharf.start(yaml, dir.resolve("data"));
    }

    @AfterEach
    void stop() {
        if (wharf != null) {
            wharf.close();
        }
        privateRegistry.close();
        publicRegistry.close();
    }

    @Test
    void cachedPrivateContentIsRefusedThroughOtherRepositoriesAndUpstreamsWhileAPublicImageSharingALayerPulls()
            throws Exception {
        String mine = "/v2/" + PRIVATE + "/team/private";
        assertEquals(200, get(mine + "/manifests/1").statusCode());
        for (String blob : List.of(sharedDigest, secretLayer)) {
            assertEquals(200, get(mine + "/blobs/" + blob).statusCode(), blob);
        }

        List<String> elsewhere = List.of(
                "/v2/" + PUBLIC + "/team/private",
                "/v2/" + PUBLIC + "/library/public",
                "/v2/" + PRIVATE + "/team/other",
                "/v2/" + PRIVATE + "/library/public");
        for (int attempt = 0; attempt < 2; attempt++) {
            for (String repository : elsewhere) {
                HttpResponse<String> blob = get(repository + "/blobs/" + secretLayer);
                assertEquals(404, blob.statusCode(), repository + " blob");
                assertTrue(blob.body().contains("\"code\":\"BLOB_UNKNOWN\""), blob.body());
                HttpResponse<String> manifest = get(repository + "/manifests/" + privateManifest);
                assertEquals(404, manifest.statusCode(), repository + " manifest");
                assertTrue(manifest.body().contains("\"code\":\"MANIFEST_UNKNOWN\""), manifest.body());
            }
        }
        // The private path itself still serves them from the cache.
        assertEquals(200, get(mine + "/blobs/" + secretLayer).statusCode());
        assertEquals(200, get(mine + "/manifests/" + privateManifest).statusCode());

        publicRegistry.clearRequests();
        String theirs = "/v2/" + PUBLIC + "/library/public";
        HttpResponse<String> manifest = get(theirs + "/manifests/1");
        assertEquals(200, manifest.statusCode());
        assertEquals(
                publicManifest,
                manifest.headers().firstValue("Docker-Content-Digest").orElseThrow());
        for (String blob : List.of(publicConfig, sharedDigest)) {
            HttpResponse<byte[]> bytes = HTTP.send(
                    HttpRequest.newBuilder(wharf.url().resolve(theirs + "/blobs/" + blob))
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, bytes.statusCode(), blob);
            assertEquals(blob, sha256(bytes.body()));
        }
        assertEquals(
                0,
                publicRegistry.count("GET", p -> p.endsWith("/blobs/" + sharedDigest)),
                "the shared layer came from the cache: the public manifest lists it");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(wharf.url().resolve(path))
                        .header("Accept", RegistryClient.manifestAcceptHeader())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private byte[] bytes(int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] manifest(String config, long configSize, List<String> layers, List<Long> sizes) {
        StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST
                + "\",\"config\":{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + config
                + "\",\"size\":" + configSize + "},\"layers\":[");
        for (int i = 0; i < layers.size(); i++) {
            json.append(i == 0 ? "" : ",")
                    .append("{\"mediaType\":\"" + MediaTypes.OCI_LAYER + "\",\"digest\":\"")
                    .append(layers.get(i))
                    .append("\",\"size\":")
                    .append(sizes.get(i))
                    .append("}");
        }
        return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return "sha256:"
                + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
