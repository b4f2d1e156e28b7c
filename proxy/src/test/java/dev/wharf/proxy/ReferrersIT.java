package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.proxy.lab.ImageFormat;
import dev.wharf.proxy.lab.ImageSeeder;
import dev.wharf.proxy.lab.RegistryProcess;
import dev.wharf.proxy.lab.RunningWharf;
import dev.wharf.proxy.lab.SeededImage;
import dev.wharf.proxy.lab.Skopeo;
import dev.wharf.storage.Digest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The referrers API through Wharf, against the real distribution registry 2.8, which has no referrers API: the
 * signature and SBOM pushed with a {@code subject} are found through the referrers tag schema, served cold, warm
 * (without asking the upstream) and by a Wharf restarted offline with the upstream stopped, filtered by {@code
 * artifactType}; a digest without referrers gets an empty index, never a 404.
 */
class ReferrersIT {
    static final String SIGNATURE = "application/vnd.dev.cosign.artifact.sig.v1+json";
    static final String SBOM = "application/spdx+json";
    private static final String UPSTREAM = "up.test";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void referrersAreServedColdWarmAndOffline(@TempDir Path data) throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            ImageSeeder seeder = ImageSeeder.of(registry);
            SeededImage image = seeder.seedImage("org/signed", List.of("1"), ImageFormat.OCI, "amd64", 1);
            SeededImage unsigned = seeder.seedImage("org/signed", List.of("2"), ImageFormat.OCI, "arm64", 1);
            List<Map<String, Object>> referrers = List.of(
                    seeder.pushReferrer(
                            "org/signed", image, SIGNATURE, "signature".getBytes(StandardCharsets.US_ASCII)),
                    seeder.pushReferrer(
                            "org/signed",
                            image,
                            SBOM,
                            "{\"spdxVersion\":\"SPDX-2.3\"}".getBytes(StandardCharsets.US_ASCII)));
            seeder.pushReferrersTag("org/signed", image, referrers);
            registry.clearRequests();

            String path = "/v2/" + UPSTREAM + "/org/signed/referrers/" + image.manifestDigest();
            byte[] cold;
            try (RunningWharf wharf = RunningWharf.start(RunningWharf.singleUpstream(UPSTREAM, registry), data)) {
                HttpResponse<byte[]> first = get(wharf.url(), path);
                assertEquals(200, first.statusCode(), new String(first.body(), StandardCharsets.UTF_8));
                assertEquals(
                        "application/vnd.oci.image.index.v1+json",
                        first.headers().firstValue("Content-Type").orElse(""));
                assertEquals(digests(referrers), digests(first.body()));
                cold = first.body();
                // distribution 2.8 answers the referrers API 404; Wharf then reads the referrers tag.
                assertEquals(1, registry.count("GET", p -> p.contains("/referrers/")), "referrers API asked once");
                assertEquals(1, registry.count("GET", p -> p.endsWith("/manifests/" + tagOf(image))));

                registry.clearRequests();
                HttpResponse<byte[]> warm = get(wharf.url(), path);
                assertArrayEquals(cold, warm.body());
                HttpResponse<byte[]> signatures = get(wharf.url(), path + "?artifactType=" + query(SIGNATURE));
                assertEquals(200, signatures.statusCode());
                assertEquals(
                        "artifactType",
                        signatures.headers().firstValue("OCI-Filters-Applied").orElse(""));
                assertEquals(List.of(referrers.get(0).get("digest")), digests(signatures.body()));
                assertEquals(List.of(), registry.requestsSettled(), "warm referrers never reach the upstream");

                HttpResponse<byte[]> none =
                        get(wharf.url(), "/v2/" + UPSTREAM + "/org/signed/referrers/" + unsigned.manifestDigest());
                assertEquals(200, none.statusCode());
                assertEquals(List.of(), digests(none.body()));

                HttpResponse<byte[]> invalid = get(wharf.url(), "/v2/" + UPSTREAM + "/org/signed/referrers/sha256:XYZ");
                assertEquals(400, invalid.statusCode());

                // The signature itself is pulled through Wharf like any manifest, and verified by skopeo.
                String signature = (String) referrers.get(0).get("digest");
                byte[] raw = new Skopeo().inspectRaw(wharf.host() + "/" + UPSTREAM + "/org/signed@" + signature);
                assertEquals(signature, Digest.sha256(raw).toString());
            }
            registry.stop();
            String offline = RunningWharf.singleUpstream(UPSTREAM, registry) + "offline: true\n";
            try (RunningWharf wharf = RunningWharf.start(offline, data)) {
                HttpResponse<byte[]> served = get(wharf.url(), path);
                assertEquals(200, served.statusCode(), new String(served.body(), StandardCharsets.UTF_8));
                assertArrayEquals(cold, served.body());
                HttpResponse<byte[]> sboms = get(wharf.url(), path + "?artifactType=" + query(SBOM));
                assertEquals(List.of(referrers.get(1).get("digest")), digests(sboms.body()));
            }
            System.out.printf(
                    "ReferrersIT: %d referrers of %s served cold (referrers API 404, then the tag), warm and offline%n",
                    referrers.size(), image.manifestDigest());
        }
    }

    /** As clients encode a query value: {@code +} as {@code %2B}. */
    static String query(String value) {
        return java.net.URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    static String tagOf(SeededImage image) {
        return image.manifestDigest().replace(':', '-');
    }

    private HttpResponse<byte[]> get(URI base, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(base.resolve(path))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    static List<Object> digests(List<Map<String, Object>> descriptors) {
        return descriptors.stream().map(d -> d.get("digest")).toList();
    }

    static List<Object> digests(byte[] index) throws Exception {
        JsonNode root = JSON.readTree(index);
        assertTrue(root.path("manifests").isArray(), new String(index, StandardCharsets.UTF_8));
        List<Object> digests = new ArrayList<>();
        root.path("manifests").forEach(m -> digests.add(m.path("digest").asText()));
        return digests;
    }
}
