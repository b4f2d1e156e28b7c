package dev.wharf.proxy.pull;

import static dev.wharf.proxy.pull.CountingUpstream.Call.BLOB;
import static dev.wharf.proxy.pull.CountingUpstream.MANIFEST_TYPE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.upstream.ManifestResponse;
import dev.wharf.storage.Digest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Whole images made sure of without HTTP, as prewarm and export do: the chosen platforms and nothing more. */
class PullThroughImageTest {
    private static final String INDEX_TYPE = "application/vnd.oci.image.index.v1+json";

    private final PullFixture f = new PullFixture();
    private final CountingUpstream upstream = f.upstream;

    /** One platform's image: its manifest, config and one layer, all served by the upstream. */
    private record Pushed(Digest manifest, Digest config, Digest layer, long blobBytes) {}

    @Test
    void anIndexForOnePlatformStoresTheIndexThatPlatformsManifestAndItsBlobsOnly() {
        Pushed amd64 = push(1, 300_000);
        Pushed arm64 = push(2, 400_000);
        Digest index = index("1.0", amd64, arm64);

        StoredImage stored = Futures.join(
                f.pull.ensureImage(f.target, Reference.parse("1.0"), Set.of(Platform.parse("linux/amd64"))));

        assertEquals(index, stored.digest());
        assertEquals(List.of(index, amd64.manifest()), stored.manifests());
        assertEquals(2, stored.blobs());
        assertEquals(amd64.blobBytes(), stored.blobBytes());
        assertTrue(f.store.findSize(amd64.layer()).isPresent());
        assertTrue(f.store.findSize(amd64.config()).isPresent());
        assertEquals(Optional.empty(), f.store.findSize(arm64.layer()), "the other platform is not fetched");
        assertEquals(2, upstream.count(BLOB));
    }

    @Test
    void noPlatformsMeansEveryPlatformTheIndexLists() {
        Pushed amd64 = push(1, 1000);
        Pushed arm64 = push(2, 2000);
        Digest index = index("1.0", amd64, arm64);

        StoredImage stored = Futures.join(f.pull.ensureImage(f.target, Reference.parse("1.0"), Set.of()));

        assertEquals(List.of(index, amd64.manifest(), arm64.manifest()), stored.manifests());
        assertEquals(4, stored.blobs());
        assertEquals(amd64.blobBytes() + arm64.blobBytes(), stored.blobBytes());
    }

    @Test
    void anImageAlreadyStoredCostsNoUpstreamRequestByDigest() {
        Pushed amd64 = push(1, 1000);
        Futures.join(
                f.pull.ensureImage(f.target, Reference.parse(amd64.manifest().toString()), Set.of()));
        int calls = upstream.total();

        StoredImage again = Futures.join(
                f.pull.ensureImage(f.target, Reference.parse(amd64.manifest().toString()), Set.of()));

        assertEquals(List.of(amd64.manifest()), again.manifests());
        assertEquals(2, again.blobs());
        assertEquals(calls, upstream.total(), "digests are immutable: nothing asked again");
    }

    @Test
    void aBlobAClientIsFetchingIsJoinedNotFetchedAgain() {
        Pushed amd64 = push(1, 1_000_000);
        upstream.stallBodiesAt(500_000);
        try (BlobSource client = Futures.join(f.pull.openBlob(f.target, amd64.layer()))) {
            assertInstanceOf(BlobSource.Filling.class, client, "a client is streaming the layer's fill");
            var ensuring = f.pull.ensureImage(
                    f.target, Reference.parse(amd64.manifest().toString()), Set.of());
            upstream.releaseBodies();
            assertEquals(2, Futures.join(ensuring).blobs());
        }
        assertEquals(2, upstream.count(BLOB), "one fetch of the layer (shared) and one of the config");
    }

    private Pushed push(int seed, int layerBytes) {
        byte[] config = ("{\"architecture\":\"arch" + seed + "\",\"os\":\"linux\"}").getBytes(StandardCharsets.UTF_8);
        byte[] layer = PullFixture.bytes(layerBytes, seed);
        Digest configDigest = upstream.blob(config);
        Digest layerDigest = upstream.blob(layer);
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MANIFEST_TYPE + "\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
                + configDigest + "\",\"size\":" + config.length + "},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\""
                + layerDigest + "\",\"size\":" + layer.length + "}]}";
        Digest manifestDigest = serve(manifest, MANIFEST_TYPE);
        return new Pushed(manifestDigest, configDigest, layerDigest, config.length + (long) layer.length);
    }

    private Digest index(String tag, Pushed amd64, Pushed arm64) {
        String index = "{\"schemaVersion\":2,\"mediaType\":\"" + INDEX_TYPE + "\",\"manifests\":["
                + entry(amd64.manifest(), "amd64") + "," + entry(arm64.manifest(), "arm64") + "]}";
        Digest digest = serve(index, INDEX_TYPE);
        upstream.manifest(tag, response(index, INDEX_TYPE));
        return digest;
    }

    private static String entry(Digest manifest, String architecture) {
        return "{\"mediaType\":\"" + MANIFEST_TYPE + "\",\"digest\":\"" + manifest + "\",\"size\":1,"
                + "\"platform\":{\"os\":\"linux\",\"architecture\":\"" + architecture + "\"}}";
    }

    private Digest serve(String body, String mediaType) {
        ManifestResponse response = response(body, mediaType);
        Digest digest = response.digestHeader().orElseThrow();
        upstream.manifest(digest.toString(), response);
        return digest;
    }

    private static ManifestResponse response(String body, String mediaType) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return new ManifestResponse(bytes, mediaType, Optional.of(Digest.sha256(bytes)));
    }
}
