package dev.wharf.proxy.upstream;

import static dev.wharf.proxy.upstream.RegistryClientAuthTest.BASIC;
import static dev.wharf.proxy.upstream.RegistryClientAuthTest.PASSWORD;
import static dev.wharf.proxy.upstream.RegistryClientAuthTest.USER;
import static dev.wharf.proxy.upstream.RegistryClientTest.REPO;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wharf.proxy.upstream.FakeUpstream.Response;
import dev.wharf.storage.Digest;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RegistryClientRedirectTest {
    static final byte[] BLOB = "layer bytes".getBytes(StandardCharsets.UTF_8);
    static final Digest DIGEST = Digest.sha256(BLOB);
    static final String BLOB_PATH = "/v2/library/alpine/blobs/" + DIGEST;

    private FakeUpstream upstream;
    private FakeUpstream storage;

    @BeforeEach
    void start() throws IOException {
        upstream = FakeUpstream.start();
        storage = FakeUpstream.start();
    }

    @AfterEach
    void stop() {
        upstream.close();
        storage.close();
    }

    private RegistryClient client() {
        UpstreamSettings settings = RegistryClientAuthTest.settings(
                upstream.uri(), Optional.of(USER), Optional.of(PASSWORD), Optional.empty());
        return new RegistryClient(settings, TestWatchdog.SHARED);
    }

    @Test
    void redirectToAnotherHostDropsAuthorizationAndDeliversTheBytes() throws IOException {
        URI presigned = URI.create(storage.uriAs("localhost") + "/bucket/blob?X-Amz-Signature=S3NT1NEL-signature");
        storage.answer(r -> Response.of(200, Map.of(), BLOB));
        upstream.answer(r -> r.header("Authorization").equals(Optional.of(BASIC))
                ? Response.of(307, Map.of("Location", presigned.toString()))
                : Response.of(401, Map.of("WWW-Authenticate", "Basic realm=\"x\"")));

        try (BlobResponse response = client().fetchBlob(REPO, DIGEST)) {
            assertArrayEquals(BLOB, response.body().readAllBytes());
        }

        assertEquals(Optional.of(BASIC), upstream.requests().get(1).header("Authorization"));
        assertEquals(1, storage.requests().size());
        assertEquals(Optional.empty(), storage.requests().get(0).header("Authorization"));
        assertEquals(Optional.empty(), storage.requests().get(0).header("Cookie"));
        assertEquals(
                "X-Amz-Signature=S3NT1NEL-signature", storage.requests().get(0).query());
    }

    @Test
    void relativeRedirectOnTheUpstreamKeepsAuthorization() throws IOException {
        upstream.answer(r -> {
            if (!r.header("Authorization").equals(Optional.of(BASIC))) {
                return Response.of(401, Map.of("WWW-Authenticate", "Basic realm=\"x\""));
            }
            return r.path().equals(BLOB_PATH)
                    ? Response.of(302, Map.of("Location", "/data/blob"))
                    : Response.of(200, Map.of(), BLOB);
        });

        try (BlobResponse response = client().fetchBlob(REPO, DIGEST)) {
            assertArrayEquals(BLOB, response.body().readAllBytes());
        }
        assertEquals("/data/blob", upstream.requests().get(2).path());
    }

    @Test
    void redirectLoopStopsAfterFiveHops() {
        upstream.answer(r -> Response.of(302, Map.of("Location", r.path())));
        RegistryClient client = client();

        UpstreamException e = assertThrows(UpstreamException.class, () -> client.fetchBlob(REPO, DIGEST));

        assertEquals(UpstreamException.Kind.PROTOCOL, e.kind());
        assertEquals(1 + Transport.MAX_REDIRECTS, upstream.requests().size());
    }

    @Test
    void errorAfterRedirectNamesOnlyTheHost() {
        URI presigned = URI.create(storage.uriAs("localhost") + "/bucket/blob?X-Amz-Signature=S3NT1NEL-signature");
        storage.answer(r -> Response.status(403));
        upstream.answer(r -> Response.of(307, Map.of("Location", presigned.toString())));

        UpstreamException e = assertThrows(UpstreamException.class, () -> client().fetchBlob(REPO, DIGEST));

        assertEquals(UpstreamException.Kind.DENIED, e.kind());
        assertFalse(e.getMessage().contains("S3NT1NEL"), e.getMessage());
        assertFalse(e.getMessage().contains("/bucket"), e.getMessage());
    }

    @Test
    void redirectTargetsAreResolvedAndChecked() {
        URI https = URI.create("https://registry.example/v2/a/blobs/x");
        assertEquals(
                URI.create("https://registry.example/data/1?sig=2"), Transport.resolveRedirect(https, "/data/1?sig=2"));
        assertEquals(
                URI.create("https://cdn.example/blob"), Transport.resolveRedirect(https, "https://cdn.example/blob#f"));
        assertEquals(
                URI.create("http://cdn.example/blob"),
                Transport.resolveRedirect(URI.create("http://registry.example/"), "http://cdn.example/blob"));
        for (String refused : new String[] {
            "http://cdn.example/blob",
            "ftp://cdn.example/blob",
            "https://user:pw@cdn.example/",
            "https://[bad",
            "file:/x"
        }) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> Transport.resolveRedirect(https, refused));
            assertFalse(e.getMessage().contains("cdn.example"), e.getMessage());
        }
    }
}
