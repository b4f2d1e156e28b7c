package dev.wharf.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.lab.TestClock;
import dev.wharf.proxy.upstream.FakeUpstream.Request;
import dev.wharf.proxy.upstream.FakeUpstream.Response;
import dev.wharf.storage.Digest;
import dev.wharf.storage.RepositoryName;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RegistryClientTest {
    static final RepositoryName REPO = RepositoryName.parse("library/alpine");
    static final String MANIFEST_PATH = "/v2/library/alpine/manifests/latest";
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final byte[] MANIFEST = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);

    private FakeUpstream upstream;
    private final TestClock clock = new TestClock(Instant.parse("2030-01-01T00:00:00Z"));

    @BeforeEach
    void start() throws IOException {
        upstream = FakeUpstream.start();
    }

    @AfterEach
    void stop() {
        upstream.close();
    }

    private RegistryClient client() {
        return client(UpstreamSettings.anonymous("hub", upstream.uri()));
    }

    private RegistryClient client(UpstreamSettings settings) {
        return new RegistryClient(settings, RegistryClient.newHttpClient(settings), clock, TestWatchdog.SHARED);
    }

    static Response manifest(byte[] body) {
        return Response.of(
                200,
                Map.of(
                        "Content-Type",
                        OCI_MANIFEST + "; charset=utf-8",
                        "Docker-Content-Digest",
                        Digest.sha256(body).toString()),
                body);
    }

    @Test
    void anonymousGetReturnsExactBytesMediaTypeAndDigestHeader() {
        upstream.answer(r -> r.path().equals(MANIFEST_PATH) ? manifest(MANIFEST) : Response.status(404));

        ManifestResponse response = client().fetchManifest(REPO, "latest");

        assertArrayEquals(MANIFEST, response.body());
        assertEquals(OCI_MANIFEST, response.mediaType());
        assertEquals(Optional.of(Digest.sha256(MANIFEST)), response.digestHeader());
        Request request = upstream.requests().get(0);
        assertEquals("GET", request.method());
        assertEquals(Optional.empty(), request.header("Authorization"));
        assertEquals(Optional.of("identity"), request.header("Accept-Encoding"));
        assertTrue(request.header("User-Agent").orElseThrow().startsWith("wharf/"));
    }

    @Test
    void aManifestSentAsAnotherTypeIsKeptWithItsOwnMediaTypeOrRefused() {
        String docker = "application/vnd.docker.distribution.manifest.v2+json";
        byte[] declared = ("{\"schemaVersion\":2,\"mediaType\":\"" + docker + "\",\"layers\":[]}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] html = "<html><script>alert(1)</script></html>".getBytes(StandardCharsets.UTF_8);
        upstream.answer(r -> Response.of(
                200, Map.of("Content-Type", "text/html"), r.path().equals(MANIFEST_PATH) ? declared : html));

        assertEquals(docker, client().fetchManifest(REPO, "latest").mediaType());
        UpstreamException e = assertThrows(UpstreamException.class, () -> client().fetchManifest(REPO, "other"));
        assertEquals(UpstreamException.Kind.PROTOCOL, e.kind());
    }

    @Test
    void manifestRequestsAcceptAllFourImageTypesAndNoSchema1() {
        upstream.answer(r -> manifest(MANIFEST));

        client().fetchManifest(REPO, "latest");

        String accept = upstream.requests().get(0).header("Accept").orElseThrow();
        assertEquals(RegistryClient.manifestAcceptHeader(), accept);
        for (String type : List.of(
                "application/vnd.oci.image.index.v1+json",
                "application/vnd.oci.image.manifest.v1+json",
                "application/vnd.docker.distribution.manifest.list.v2+json",
                "application/vnd.docker.distribution.manifest.v2+json")) {
            assertTrue(accept.contains(type), type);
        }
        assertFalse(accept.contains("manifest.v1+prettyjws"));
        assertFalse(accept.contains("application/vnd.docker.distribution.manifest.v1+json"));
    }

    @Test
    void headManifestReportsDigestMediaTypeAndSize() {
        Digest digest = Digest.sha256(MANIFEST);
        upstream.answer(r -> Response.of(
                200,
                Map.of(
                        "Content-Type",
                        OCI_MANIFEST,
                        "Docker-Content-Digest",
                        digest.toString(),
                        "Content-Length",
                        String.valueOf(MANIFEST.length))));

        ManifestHead head = client().headManifest(REPO, digest.toString());

        assertEquals(new ManifestHead(Optional.of(digest), OCI_MANIFEST, MANIFEST.length), head);
        Request request = upstream.requests().get(0);
        assertEquals("HEAD", request.method());
        assertEquals("/v2/library/alpine/manifests/" + digest, request.path());
    }

    @Test
    void blobBodyStreamsWithItsLength() throws IOException {
        byte[] blob = new byte[100_000];
        Arrays.fill(blob, (byte) 7);
        Digest digest = Digest.sha256(blob);
        upstream.answer(r -> r.path().equals("/v2/library/alpine/blobs/" + digest)
                ? Response.of(200, Map.of(), blob)
                : Response.status(404));

        try (BlobResponse response = client().fetchBlob(REPO, digest)) {
            assertEquals(blob.length, response.contentLength());
            assertArrayEquals(blob, response.body().readAllBytes());
        }
    }

    @Test
    void manifestOverFourMibByContentLengthIsTooLarge() {
        byte[] big = new byte[RegistryClient.MAX_MANIFEST_BYTES + 1];
        upstream.answer(r -> manifest(big));

        UpstreamException e = assertThrows(UpstreamException.class, () -> client().fetchManifest(REPO, "latest"));

        assertEquals(UpstreamException.Kind.TOO_LARGE, e.kind());
    }

    @Test
    void manifestOverFourMibWithoutContentLengthIsTooLarge() {
        byte[] big = new byte[RegistryClient.MAX_MANIFEST_BYTES + 4096];
        upstream.answer(r -> new Response(200, Map.of("Content-Type", OCI_MANIFEST), big, true));

        UpstreamException e = assertThrows(UpstreamException.class, () -> client().fetchManifest(REPO, "latest"));

        assertEquals(UpstreamException.Kind.TOO_LARGE, e.kind());
    }

    @Test
    void manifestOfExactlyFourMibIsAccepted() {
        byte[] max = new byte[RegistryClient.MAX_MANIFEST_BYTES];
        upstream.answer(r -> new Response(200, Map.of("Content-Type", OCI_MANIFEST), max, true));

        assertEquals(max.length, client().fetchManifest(REPO, "latest").body().length);
    }

    @Test
    void tooManyRequestsCarriesRetryAfter() {
        upstream.answer(r -> Response.of(429, Map.of("Retry-After", "120")));

        UpstreamException e = assertThrows(UpstreamException.class, () -> client().fetchManifest(REPO, "latest"));

        assertEquals(UpstreamException.Kind.RATE_LIMITED, e.kind());
        assertEquals(429, e.status());
        assertEquals(Optional.of(Duration.ofSeconds(120)), e.retryAfter());
        assertTrue(e.getMessage().contains("hub"), e.getMessage());
    }

    @Test
    void statusesMapToKinds() {
        Map<Integer, UpstreamException.Kind> expected = Map.of(
                404, UpstreamException.Kind.NOT_FOUND,
                403, UpstreamException.Kind.DENIED,
                500, UpstreamException.Kind.UNAVAILABLE,
                503, UpstreamException.Kind.UNAVAILABLE,
                400, UpstreamException.Kind.PROTOCOL);
        RegistryClient client = client();
        expected.forEach((status, kind) -> {
            upstream.answer(r -> Response.of(status, Map.of(), "{\"errors\":[]}".getBytes(StandardCharsets.UTF_8)));
            UpstreamException e = assertThrows(UpstreamException.class, () -> client.fetchManifest(REPO, "latest"));
            assertEquals(kind, e.kind(), "status " + status);
            assertEquals(status, e.status());
        });
    }

    @Test
    void connectionRefusedIsUnavailable() throws IOException {
        URI closed;
        try (FakeUpstream gone = FakeUpstream.start()) {
            closed = gone.uri();
        }
        RegistryClient client = client(UpstreamSettings.anonymous("hub", closed));

        UpstreamException e = assertThrows(UpstreamException.class, () -> client.fetchManifest(REPO, "latest"));

        assertEquals(UpstreamException.Kind.UNAVAILABLE, e.kind());
        assertEquals(0, e.status());
        assertFalse(e.timedOut());
    }

    @Test
    void silentUpstreamTimesOutAsUnavailableAndTimedOut() {
        CountDownLatch release = new CountDownLatch(1);
        upstream.answer(r -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Response.status(500);
        });
        UpstreamSettings settings = new UpstreamSettings(
                "hub",
                upstream.uri(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                List.of(),
                Duration.ofSeconds(5),
                Duration.ofMillis(300));
        try {
            UpstreamException e =
                    assertThrows(UpstreamException.class, () -> client(settings).fetchManifest(REPO, "latest"));
            assertEquals(UpstreamException.Kind.UNAVAILABLE, e.kind());
            assertTrue(e.timedOut());
        } finally {
            release.countDown();
        }
    }

    @Test
    void anUpstreamThatDoesNotAcceptConnectionsTimesOutAsTimedOut() throws IOException {
        // A listening socket that never accepts: once its backlog is full, the kernel leaves new connects hanging.
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<Socket> queued = new ArrayList<>();
            try {
                while (queued.size() < 16) {
                    Socket socket = new Socket();
                    queued.add(socket);
                    try {
                        socket.connect(full.getLocalSocketAddress(), 200);
                    } catch (SocketTimeoutException backlogFull) {
                        break;
                    }
                }
                UpstreamSettings settings = new UpstreamSettings(
                        "hub",
                        URI.create("http://127.0.0.1:" + full.getLocalPort()),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        List.of(),
                        Duration.ofMillis(300),
                        Duration.ofSeconds(30));
                RegistryClient client = new RegistryClient(settings, TestWatchdog.SHARED);

                long start = System.nanoTime();
                UpstreamException e = assertThrows(UpstreamException.class, () -> client.fetchManifest(REPO, "latest"));
                Duration took = Duration.ofNanos(System.nanoTime() - start);

                assertEquals(UpstreamException.Kind.UNAVAILABLE, e.kind());
                assertTrue(e.timedOut(), e.getMessage());
                assertTrue(took.compareTo(Duration.ofSeconds(10)) < 0, "bounded by the connect timeout: " + took);
            } finally {
                for (Socket socket : queued) {
                    socket.close();
                }
            }
        }
    }

    @Test
    void invalidReferenceCausesNoRequest() {
        RegistryClient client = client();

        assertThrows(IllegalArgumentException.class, () -> client.fetchManifest(REPO, "../../etc"));

        assertEquals(0, upstream.requests().size());
    }

    @Test
    void tagPagesAreAskedForAThousandAtATimeAndFollowedThroughLinkHeaders() {
        upstream.answer(r -> {
            if (r.query().equals("n=1000")) {
                return Response.of(
                        200,
                        Map.of("Link", "</v2/library/alpine/tags/list?n=2&last=b>; rel=\"next\""),
                        "{\"name\":\"library/alpine\",\"tags\":[\"a\",\"b\"]}".getBytes(StandardCharsets.UTF_8));
            }
            return Response.of(
                    200, Map.of(), "{\"name\":\"library/alpine\",\"tags\":[\"c\"]}".getBytes(StandardCharsets.UTF_8));
        });

        assertEquals(List.of("a", "b", "c"), client().fetchTags(REPO));

        List<Request> requests = upstream.requests();
        assertEquals(2, requests.size());
        assertEquals("n=2&last=b", requests.get(1).query());
    }

    @Test
    void catalogPagesAreFollowedThroughLinkHeadersAndAnUpstreamWithoutOneIsNotFound() {
        upstream.answer(r -> {
            if (!r.path().equals("/v2/_catalog")) {
                return Response.of(404, Map.of(), new byte[0]);
            }
            if (r.query().equals("n=1000")) {
                return Response.of(
                        200,
                        Map.of("Link", "</v2/_catalog?n=2&last=team/b>; rel=\"next\""),
                        "{\"repositories\":[\"team/a\",\"team/b\"]}".getBytes(StandardCharsets.UTF_8));
            }
            return Response.of(200, Map.of(), "{\"repositories\":[\"other/c\"]}".getBytes(StandardCharsets.UTF_8));
        });

        assertEquals(List.of("team/a", "team/b", "other/c"), client().fetchCatalog());
        assertEquals("n=2&last=team/b", upstream.requests().get(1).query());

        upstream.answer(r -> Response.of(404, Map.of(), new byte[0]));
        UpstreamException e = assertThrows(UpstreamException.class, () -> client().fetchCatalog());
        assertEquals(UpstreamException.Kind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage().contains("/v2/_catalog"), e.getMessage());
    }

    @Test
    void tagLinkToAnotherHostIsRefused() throws IOException {
        try (FakeUpstream foreign = FakeUpstream.start()) {
            upstream.answer(r -> Response.of(
                    200,
                    Map.of("Link", "<" + foreign.uriAs("localhost") + "/v2/x/tags/list?last=b>; rel=\"next\""),
                    "{\"tags\":[\"a\"]}".getBytes(StandardCharsets.UTF_8)));

            UpstreamException e = assertThrows(UpstreamException.class, () -> client().fetchTags(REPO));

            assertEquals(UpstreamException.Kind.PROTOCOL, e.kind());
            assertEquals(0, foreign.requests().size());
        }
    }

    @Test
    void tagPagesThatLoopAreRefused() {
        upstream.answer(r -> Response.of(
                200,
                Map.of("Link", "</v2/library/alpine/tags/list?n=1000>; rel=\"next\""),
                "{\"tags\":[\"a\"]}".getBytes(StandardCharsets.UTF_8)));

        UpstreamException e = assertThrows(UpstreamException.class, () -> client().fetchTags(REPO));

        assertEquals(UpstreamException.Kind.PROTOCOL, e.kind());
        assertEquals(1, upstream.requests().size());
    }

    @Test
    void aTagListOfTooManyPagesStopsAfterTwentyRequestsAsATooLargeTagList() {
        // 1,000 tags, one per page whatever n asked for: the upstream could be paged through for ever.
        upstream.answer(r -> {
            int index =
                    r.query().startsWith("last=") ? Integer.parseInt(r.query().substring(5)) + 1 : 0;
            Map<String, String> headers = index + 1 < 1000
                    ? Map.of("Link", "</v2/library/alpine/tags/list?last=" + index + ">; rel=\"next\"")
                    : Map.of();
            return Response.of(200, headers, ("{\"tags\":[\"t" + index + "\"]}").getBytes(StandardCharsets.UTF_8));
        });

        UpstreamException e = assertThrows(UpstreamException.class, () -> client().fetchTags(REPO));

        assertEquals(UpstreamException.Kind.TOO_LARGE, e.kind());
        assertTrue(e.getMessage().contains("tag list"), e.getMessage());
        assertFalse(e.getMessage().contains("manifest"), e.getMessage());
        assertEquals(20, upstream.requests().size());
        assertEquals("n=1000", upstream.requests().get(0).query());
    }

    @Test
    void sharedClientThatFollowsRedirectsIsRejected() {
        UpstreamSettings settings = UpstreamSettings.anonymous("hub", upstream.uri());
        java.net.http.HttpClient following = java.net.http.HttpClient.newBuilder()
                .followRedirects(java.net.http.HttpClient.Redirect.NORMAL)
                .build();

        assertThrows(
                IllegalArgumentException.class, () -> new RegistryClient(settings, following, TestWatchdog.SHARED));
    }
}
