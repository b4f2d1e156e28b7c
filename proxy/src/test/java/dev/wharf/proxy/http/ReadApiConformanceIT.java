package dev.wharf.proxy.http;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.proxy.lab.AccessLogEntry;
import dev.wharf.proxy.lab.ImageFormat;
import dev.wharf.proxy.lab.ImageSeeder;
import dev.wharf.proxy.lab.LyingUpstream;
import dev.wharf.proxy.lab.MediaTypes;
import dev.wharf.proxy.lab.RegistryProcess;
import dev.wharf.proxy.lab.RunningWharf;
import dev.wharf.proxy.lab.SeededImage;
import dev.wharf.proxy.lab.SeededSet;
import dev.wharf.storage.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a pulling client sees from Wharf, request by request, against a real distribution registry: the read API's
 * statuses, headers and bytes, its errors, the write methods it refuses, and its HTTP framing limits.
 */
class ReadApiConformanceIT {
    private static final String UP = "up.test";
    private static final String DOWN = "down.test";
    private static final String BIG = "big.test";
    private static final List<String> PAGED_TAGS = List.of("latest", "2.0", "alpha", "10.0", "1.0");
    private static final String ABSENT_DIGEST =
            Digest.sha256("no registry holds these bytes".getBytes(UTF_8)).toString();
    private static final String API_VERSION = "registry/2.0";
    private static final int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    @TempDir
    static Path dataDir;

    private static RegistryProcess registry;
    private static RegistryProcess downRegistry;
    private static LyingUpstream bigUpstream;
    private static RunningWharf wharf;
    private static SeededSet seeded;
    private static SeededImage paged;
    private static SeededImage fallback;
    private static String unfetchedBlob;

    /** How a client names the upstream: not at all (default upstream), by path prefix, or with {@code ns}. */
    private enum Addressing {
        ROOT,
        PREFIX,
        NS;

        String path(String repository, String rest) {
            return switch (this) {
                case ROOT -> "/v2/" + repository + "/" + rest;
                case PREFIX -> "/v2/" + UP + "/" + repository + "/" + rest;
                case NS -> "/v2/" + repository + "/" + rest + (rest.contains("?") ? "&" : "?") + "ns=" + UP;
            };
        }
    }

    @BeforeAll
    static void start() throws Exception {
        registry = RegistryProcess.anonymous();
        downRegistry = RegistryProcess.anonymous();
        bigUpstream = new LyingUpstream(oversizedManifest());
        ImageSeeder seeder = ImageSeeder.of(registry);
        seeded = seeder.seedStandard();
        paged = seeder.seedImage("org/paged", PAGED_TAGS, ImageFormat.OCI, "amd64", 1);
        unfetchedBlob = seeder.pushBlob(
                "org/pipelined", "pipelined blob ".repeat(20_000).getBytes(UTF_8));
        fallback = ImageSeeder.of(downRegistry)
                .seedImage("org/fallback", List.of("cached", "uncached"), ImageFormat.DOCKER, "amd64", 1);
        String yaml = "defaultUpstream: " + UP + "\nupstreams:\n"
                + upstream(UP, registry.url())
                + upstream(DOWN, downRegistry.url())
                + upstream(BIG, bigUpstream.url())
                // Every fallback tag is stale at once, so each pull re-checks the upstream.
                + "freshness:\n  - match: \"*fallback:*\"\n    tagTtl: 0s\n";
        wharf = RunningWharf.start(yaml, dataDir);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable closeable : Arrays.asList(wharf, bigUpstream, downRegistry, registry)) {
            if (closeable != null) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    @Test
    void baseAnswersEmptyJsonWithApiVersion() throws Exception {
        for (String path : List.of("/v2/", "/v2")) {
            HttpResponse<byte[]> get = send("GET", path);
            assertEquals(200, get.statusCode(), path);
            assertEquals("{}", text(get), path);
            assertEquals(API_VERSION, header(get, "Docker-Distribution-API-Version"), path);
            assertEquals("application/json", header(get, "Content-Type"), path);

            HttpResponse<byte[]> head = send("HEAD", path);
            assertEquals(200, head.statusCode(), path);
            assertEquals(API_VERSION, header(head, "Docker-Distribution-API-Version"), path);
            assertEquals(0, head.body().length, path);
        }
    }

    @Test
    void manifestsByTagAndDigestAreServedExactlyForEveryKind() throws Exception {
        List<SeededImage> images = new ArrayList<>(seeded.all());
        images.addAll(seeded.multiPlatforms());
        images.addAll(seeded.ociIndexPlatforms());
        for (SeededImage image : images) {
            List<String> references = new ArrayList<>(image.tags());
            references.add(image.manifestDigest());
            for (String reference : references) {
                for (Addressing addressing : Addressing.values()) {
                    String path = addressing.path(image.repository(), "manifests/" + reference);
                    HttpResponse<byte[]> get = send("GET", path, "Accept", MediaTypes.ACCEPT_ALL_MANIFESTS);
                    assertEquals(200, get.statusCode(), path);
                    assertEquals(image.manifestDigest(), sha256(get.body()), path);
                    assertManifestHeaders(image, get.body().length, addressing, get, path);

                    HttpResponse<byte[]> head = send("HEAD", path, "Accept", MediaTypes.ACCEPT_ALL_MANIFESTS);
                    assertEquals(200, head.statusCode(), "HEAD " + path);
                    assertEquals(0, head.body().length, "HEAD " + path);
                    assertManifestHeaders(image, get.body().length, addressing, head, "HEAD " + path);
                }
            }
        }
    }

    @Test
    void blobsAreServedWithDigestLengthAndRangeSupport() throws Exception {
        for (String blob : seeded.alpine().blobDigests()) {
            for (Addressing addressing : Addressing.values()) {
                String path = addressing.path("library/alpine", "blobs/" + blob);
                HttpResponse<byte[]> get = send("GET", path);
                assertEquals(200, get.statusCode(), path);
                assertEquals(blob, sha256(get.body()), path);
                assertBlobHeaders(blob, get.body().length, addressing, get, path);

                HttpResponse<byte[]> head = send("HEAD", path);
                assertEquals(200, head.statusCode(), "HEAD " + path);
                assertEquals(0, head.body().length, "HEAD " + path);
                assertBlobHeaders(blob, get.body().length, addressing, head, "HEAD " + path);
            }
        }
    }

    @Test
    void singleRangesAnswer206WithExactBytes() throws Exception {
        String blob = largestAlpineBlob();
        String path = "/v2/library/alpine/blobs/" + blob;
        byte[] full = send("GET", path).body();
        int len = full.length;
        assertTrue(len > 100, "the layer is big enough to slice");

        Map<String, int[]> ranges = new LinkedHashMap<>();
        ranges.put("bytes=0-9", new int[] {0, 9});
        ranges.put("bytes=10-10", new int[] {10, 10});
        ranges.put("bytes=50-", new int[] {50, len - 1});
        ranges.put("bytes=-7", new int[] {len - 7, len - 1});
        ranges.put("bytes=-" + (len + 1000), new int[] {0, len - 1});
        ranges.put("bytes=" + (len - 3) + "-" + (len + 1000), new int[] {len - 3, len - 1});
        ranges.put("bytes=0-9223372036854775807", new int[] {0, len - 1});
        for (Map.Entry<String, int[]> range : ranges.entrySet()) {
            int first = range.getValue()[0];
            int last = range.getValue()[1];
            HttpResponse<byte[]> partial = send("GET", path, "Range", range.getKey());
            assertEquals(206, partial.statusCode(), range.getKey());
            assertEquals("bytes " + first + "-" + last + "/" + len, header(partial, "Content-Range"), range.getKey());
            assertEquals(Integer.toString(last - first + 1), header(partial, "Content-Length"), range.getKey());
            assertArrayEquals(Arrays.copyOfRange(full, first, last + 1), partial.body(), range.getKey());
            assertEquals(blob, header(partial, "Docker-Content-Digest"), range.getKey());
        }
    }

    @Test
    void unsatisfiableRangesAnswer416AndManyRangesTheWholeBlob() throws Exception {
        String blob = largestAlpineBlob();
        String path = "/v2/library/alpine/blobs/" + blob;
        byte[] full = send("GET", path).body();
        int len = full.length;

        for (String range : List.of(
                "bytes=50-0",
                "bytes=" + len + "-",
                "bytes=" + (len + 10) + "-" + (len + 20),
                "bytes=-0",
                "bytes=9223372036854775807-")) {
            HttpResponse<byte[]> refused = send("GET", path, "Range", range);
            assertEquals(416, refused.statusCode(), range);
            assertEquals("bytes */" + len, header(refused, "Content-Range"), range);
        }
        for (String range : List.of(
                "bytes=0-1,4-5", "bytes=0-0,-1", "bytes=1-2, 3-4", "items=0-5", "bytes=99999999999999999999-")) {
            HttpResponse<byte[]> whole = send("GET", path, "Range", range);
            assertEquals(200, whole.statusCode(), range);
            assertArrayEquals(full, whole.body(), range);
            assertTrue(whole.headers().firstValue("Content-Range").isEmpty(), range);
        }
    }

    @Test
    void absentContentAnswers404WithTheSpecCode() throws Exception {
        for (Addressing addressing : Addressing.values()) {
            assertError(send("GET", addressing.path("library/alpine", "blobs/" + ABSENT_DIGEST)), 404, "BLOB_UNKNOWN");
            assertEquals(
                    404,
                    send("HEAD", addressing.path("library/alpine", "blobs/" + ABSENT_DIGEST))
                            .statusCode());
            assertError(
                    send("GET", addressing.path("library/alpine", "manifests/no-such-tag")), 404, "MANIFEST_UNKNOWN");
            assertError(
                    send("GET", addressing.path("library/alpine", "manifests/" + ABSENT_DIGEST)),
                    404,
                    "MANIFEST_UNKNOWN");
            assertEquals(
                    404,
                    send("HEAD", addressing.path("library/alpine", "manifests/no-such-tag"))
                            .statusCode());
            assertError(send("GET", addressing.path("library/no-such-repo", "tags/list")), 404, "NAME_UNKNOWN");
        }
    }

    @Test
    void tagListIsSortedAndPaginatedWithLinkHeaders() throws Exception {
        List<String> sorted = PAGED_TAGS.stream().sorted().toList();
        for (Addressing addressing : Addressing.values()) {
            HttpResponse<byte[]> all = send("GET", addressing.path("org/paged", "tags/list"));
            assertEquals(200, all.statusCode());
            assertEquals(sorted, tags(all));
            assertTrue(all.headers().firstValue("Link").isEmpty(), "no Link without n");

            List<String> walked = new ArrayList<>();
            String next = addressing.path("org/paged", "tags/list?n=2");
            int pages = 0;
            while (next != null) {
                HttpResponse<byte[]> page = send("GET", next);
                assertEquals(200, page.statusCode(), next);
                List<String> tags = tags(page);
                assertTrue(tags.size() <= 2, next);
                walked.addAll(tags);
                pages++;
                next = page.headers()
                        .firstValue("Link")
                        .map(ReadApiConformanceIT::nextLink)
                        .orElse(null);
                if (next != null) {
                    assertEquals(2, tags.size(), "a page followed by more is full");
                }
            }
            assertEquals(sorted, walked, addressing.name());
            assertEquals(3, pages, addressing.name());
        }

        HttpResponse<byte[]> first = send("GET", "/v2/org/paged/tags/list?n=2");
        assertEquals(
                "</v2/org/paged/tags/list?n=2&last=10.0>; rel=\"next\"",
                first.headers().firstValue("Link").orElse(null));
        HttpResponse<byte[]> withNs = send("GET", "/v2/org/paged/tags/list?n=2&ns=" + UP);
        assertEquals(UP, header(withNs, "OCI-Namespace"));
        assertTrue(header(withNs, "Link").contains("ns=" + UP), header(withNs, "Link"));

        assertEquals(List.of("alpha", "latest"), tags(send("GET", "/v2/org/paged/tags/list?last=2.0")));
        assertEquals(List.of("2.0", "alpha"), tags(send("GET", "/v2/org/paged/tags/list?last=10.5&n=2")));
        assertEquals(List.of(), tags(send("GET", "/v2/org/paged/tags/list?last=latest")));
        HttpResponse<byte[]> empty = send("GET", "/v2/org/paged/tags/list?n=0");
        assertEquals(200, empty.statusCode());
        assertEquals(List.of(), tags(empty));
        for (String huge : List.of("1001", "999999999", "2147483647", "99999999999999999999")) {
            HttpResponse<byte[]> capped = send("GET", "/v2/org/paged/tags/list?n=" + huge);
            assertEquals(200, capped.statusCode(), huge + ": " + text(capped));
            assertEquals(sorted, tags(capped), huge);
            assertTrue(capped.headers().firstValue("Link").isEmpty(), huge);
        }
    }

    @Test
    void invalidRequestsAreRefusedBeforeAnyUpstreamRequest() throws Exception {
        String upper = ABSENT_DIGEST.toUpperCase(Locale.ROOT).replace("SHA256", "sha256");
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("/v2/library/Alpine/manifests/latest", "400 NAME_INVALID");
        cases.put("/v2/Library/alpine/manifests/latest", "400 NAME_INVALID");
        cases.put("/v2/library/../alpine/manifests/latest", "400 NAME_INVALID");
        cases.put("/v2/library/./alpine/blobs/" + ABSENT_DIGEST, "400 NAME_INVALID");
        cases.put("/v2/library/%2e%2e/alpine/manifests/latest", "400 NAME_INVALID");
        cases.put("/v2/%2e%2e/%2e%2e/etc/passwd/blobs/" + ABSENT_DIGEST, "400 NAME_INVALID");
        cases.put("/v2/library/alpine%2Fx/tags/list", "400 NAME_INVALID");
        cases.put("/v2/library//alpine/manifests/latest", "400 NAME_INVALID");
        cases.put("/v2/library/alpine_/tags/list", "400 NAME_INVALID");
        cases.put("/v2/library/alpine/blobs/" + upper, "400 DIGEST_INVALID");
        cases.put("/v2/library/alpine/manifests/" + upper, "400 DIGEST_INVALID");
        cases.put("/v2/library/alpine/blobs/sha384:" + "a".repeat(96), "400 DIGEST_INVALID");
        cases.put("/v2/library/alpine/manifests/sha384:" + "a".repeat(96), "400 DIGEST_INVALID");
        cases.put("/v2/library/alpine/blobs/md5:" + "a".repeat(32), "400 DIGEST_INVALID");
        cases.put("/v2/library/alpine/blobs/sha256:abc", "400 DIGEST_INVALID");
        cases.put("/v2/library/alpine/manifests/sha256:abc", "400 DIGEST_INVALID");
        cases.put("/v2/library/alpine/blobs/latest", "400 DIGEST_INVALID");
        cases.put("/v2/library/alpine/manifests/-leading-dash", "400 MANIFEST_INVALID");
        cases.put("/v2/library/alpine/manifests/.hidden", "400 MANIFEST_INVALID");
        cases.put("/v2/library/alpine/manifests/" + "t".repeat(129), "400 MANIFEST_INVALID");
        cases.put("/v2/nope.example/x/y/manifests/1", "404 NAME_UNKNOWN");
        cases.put("/v2/nope.example/x/y/blobs/" + ABSENT_DIGEST, "404 NAME_UNKNOWN");
        cases.put("/v2/nope.example/x/y/tags/list", "404 NAME_UNKNOWN");
        cases.put("/v2/library/alpine/manifests/latest?ns=nope.example", "404 NAME_UNKNOWN");
        cases.put("/v2/library/alpine/tags/list?ns=nope.example", "404 NAME_UNKNOWN");
        cases.put("/v2/library/alpine/tags/list?n=-1", "400 PAGINATION_NUMBER_INVALID");
        cases.put("/v2/library/alpine/tags/list?n=abc", "400 PAGINATION_NUMBER_INVALID");
        cases.put("/v2/library/alpine/tags/list?n=1.5", "400 PAGINATION_NUMBER_INVALID");
        cases.put("/v2/library/alpine/tags/list?n=", "400 PAGINATION_NUMBER_INVALID");

        registry.clearRequests();
        for (Map.Entry<String, String> c : cases.entrySet()) {
            String[] expected = c.getValue().split(" ");
            int status = Integer.parseInt(expected[0]);
            assertError(send("GET", c.getKey()), status, expected[1]);
            HttpResponse<byte[]> head = send("HEAD", c.getKey());
            assertEquals(status, head.statusCode(), "HEAD " + c.getKey());
            assertEquals(0, head.body().length, "HEAD " + c.getKey());
        }
        assertNoUpstreamRequests();
    }

    @Test
    void everyWriteMethodOnEveryRouteIsUnsupported() throws Exception {
        String digest = seeded.alpine().manifestDigest();
        String blob = seeded.alpine().blobDigests().get(0);
        List<String> routes = List.of(
                "/v2/",
                "/v2/library/alpine/manifests/latest",
                "/v2/library/alpine/manifests/" + digest,
                "/v2/" + UP + "/library/alpine/manifests/latest",
                "/v2/library/alpine/manifests/latest?ns=" + UP,
                "/v2/library/alpine/blobs/" + blob,
                "/v2/library/alpine/blobs/uploads/",
                "/v2/library/alpine/blobs/uploads/6f1c1f1e-1d1a-4e1b-9a44-1e8c0f6c1a2b",
                "/v2/library/alpine/blobs/uploads/?mount=" + blob + "&from=library/multi",
                "/v2/library/alpine/tags/list",
                "/v2/library/alpine/referrers/" + digest,
                "/v2/_catalog",
                "/v2/no/such/endpoint",
                "/unknown");
        registry.clearRequests();
        for (String method : List.of("POST", "PUT", "PATCH", "DELETE", "OPTIONS")) {
            for (String route : routes) {
                HttpResponse<byte[]> response = send(method, route);
                assertError(response, 405, "UNSUPPORTED", method + " " + route);
            }
        }
        assertNoUpstreamRequests();
    }

    @Test
    void overlongRequestLineIs414AndTheConnectionCloses() throws Exception {
        String request =
                "GET /v2/library/" + "a".repeat(9 * 1024) + "/manifests/latest HTTP/1.1\r\nHost: wharf\r\n\r\n";
        try (RawConnection connection = new RawConnection()) {
            connection.write(request);
            RawResponse response = connection.read(false);
            assertEquals(414, response.status());
            assertTrue(connection.atEnd(), "connection closed after 414");
        }
    }

    @Test
    void oversizedHeadersAre431AndTheConnectionCloses() throws Exception {
        String request = "GET /v2/ HTTP/1.1\r\nHost: wharf\r\nX-Filler: " + "b".repeat(17 * 1024) + "\r\n\r\n";
        try (RawConnection connection = new RawConnection()) {
            connection.write(request);
            RawResponse response = connection.read(false);
            assertEquals(431, response.status());
            assertTrue(connection.atEnd(), "connection closed after 431");
        }
    }

    @Test
    void ambiguousFramingIsRefused() throws Exception {
        Map<String, String> requests = new LinkedHashMap<>();
        requests.put(
                "Content-Length and Transfer-Encoding",
                "GET /v2/ HTTP/1.1\r\nHost: wharf\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        requests.put(
                "Transfer-Encoding and Content-Length",
                "GET /v2/ HTTP/1.1\r\nHost: wharf\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n");
        requests.put(
                "Transfer-Encoding other than chunked",
                "GET /v2/ HTTP/1.1\r\nHost: wharf\r\nTransfer-Encoding: gzip\r\n\r\n");
        for (Map.Entry<String, String> request : requests.entrySet()) {
            try (RawConnection connection = new RawConnection()) {
                connection.write(request.getValue());
                RawResponse response = connection.read(false);
                assertEquals(400, response.status(), request.getKey());
                assertTrue(connection.atEnd(), request.getKey() + ": connection closed");
            }
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        // The blob is fetched from the upstream while the next requests are already waiting on the socket.
        String blobPath = "/v2/org/pipelined/blobs/" + unfetchedBlob;
        String manifestPath = "/v2/library/alpine/manifests/" + seeded.alpine().manifestDigest();
        try (RawConnection connection = new RawConnection()) {
            connection.write(request("GET", blobPath)
                    + request("HEAD", blobPath)
                    + request("GET", "/v2/")
                    + request("HEAD", manifestPath)
                    + request("GET", manifestPath));
            RawResponse blob = connection.read(false);
            assertEquals(200, blob.status());
            assertEquals(unfetchedBlob, sha256(blob.body()));
            RawResponse blobHead = connection.read(true);
            assertEquals(200, blobHead.status());
            assertEquals(
                    Integer.toString(blob.body().length), blobHead.headers().get("content-length"));
            RawResponse base = connection.read(false);
            assertEquals(200, base.status());
            assertEquals("{}", new String(base.body(), UTF_8));
            RawResponse manifestHead = connection.read(true);
            assertEquals(200, manifestHead.status());
            assertEquals(
                    seeded.alpine().manifestDigest(), manifestHead.headers().get("docker-content-digest"));
            RawResponse manifest = connection.read(false);
            assertEquals(200, manifest.status());
            assertEquals(seeded.alpine().manifestDigest(), sha256(manifest.body()));
        }
    }

    @Test
    void rawPathCharactersNoNameHasAreRefusedBeforeAnyUpstreamRequest() throws Exception {
        List<byte[]> paths = List.of(
                "/v2/library\\alpine/manifests/latest".getBytes(US_ASCII),
                "/v2/library/alpine\\..\\multi/manifests/latest".getBytes(US_ASCII),
                "/v2/library/alp\u00e9ine/manifests/latest".getBytes(UTF_8),
                "/v2/library/alpine/manifests/lat\u0000est".getBytes(US_ASCII));
        registry.clearRequests();
        for (byte[] path : paths) {
            try (RawConnection connection = new RawConnection()) {
                ByteArrayOutputStream request = new ByteArrayOutputStream();
                request.write("GET ".getBytes(US_ASCII));
                request.write(path);
                request.write(" HTTP/1.1\r\nHost: wharf\r\n\r\n".getBytes(US_ASCII));
                connection.write(request.toByteArray());
                assertEquals(400, connection.read(false).status(), new String(path, UTF_8));
            }
        }
        assertNoUpstreamRequests();
    }

    @Test
    void oversizedUpstreamManifestIs502AndNothingIsCached() throws Exception {
        String lieDigest = sha256(bigUpstream.lie());
        for (String reference : List.of("latest", lieDigest)) {
            String path = "/v2/" + BIG + "/org/big/manifests/" + reference;
            // Twice: a cached manifest would be served the second time (a digest is never re-checked upstream).
            for (int attempt = 1; attempt <= 2; attempt++) {
                assertError(send("GET", path), 502, "MANIFEST_INVALID", path + " attempt " + attempt);
                assertEquals(502, send("HEAD", path).statusCode(), "HEAD " + path + " attempt " + attempt);
            }
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            List<Path> large = files.filter(Files::isRegularFile)
                    .filter(f -> f.toFile().length() >= MAX_MANIFEST_BYTES)
                    .toList();
            assertEquals(List.of(), large, "no oversized manifest was stored");
        }
    }

    @Test
    void stoppedUpstreamFallsBackToCachedTagsAndManifests() throws Exception {
        String prefix = "/v2/" + DOWN + "/org/fallback/";
        HttpResponse<byte[]> cached = send("GET", prefix + "manifests/cached");
        assertEquals(200, cached.statusCode());
        assertEquals(fallback.manifestDigest(), sha256(cached.body()));
        assertEquals(List.of("cached", "uncached"), tags(send("GET", prefix + "tags/list")));

        downRegistry.stop();

        HttpResponse<byte[]> tags = send("GET", prefix + "tags/list");
        assertEquals(200, tags.statusCode(), text(tags));
        assertEquals(List.of("cached"), tags(tags));
        HttpResponse<byte[]> stale = send("GET", prefix + "manifests/cached");
        assertEquals(200, stale.statusCode(), text(stale));
        assertArrayEquals(cached.body(), stale.body());
        assertEquals(fallback.manifestDigest(), header(stale, "Docker-Content-Digest"));
        HttpResponse<byte[]> staleHead = send("HEAD", prefix + "manifests/cached");
        assertEquals(200, staleHead.statusCode());
        assertEquals(fallback.manifestDigest(), header(staleHead, "Docker-Content-Digest"));
        assertEquals(Integer.toString(cached.body().length), header(staleHead, "Content-Length"));
        assertError(send("GET", prefix + "manifests/uncached"), 502, "UNAVAILABLE");
    }

    private static void assertManifestHeaders(
            SeededImage image, int length, Addressing addressing, HttpResponse<byte[]> response, String what) {
        assertEquals(image.mediaType(), header(response, "Content-Type"), what);
        assertEquals(image.manifestDigest(), header(response, "Docker-Content-Digest"), what);
        assertEquals(Integer.toString(length), header(response, "Content-Length"), what);
        assertEquals("\"" + image.manifestDigest() + "\"", header(response, "ETag"), what);
        assertEquals(API_VERSION, header(response, "Docker-Distribution-API-Version"), what);
        assertNamespace(addressing, response, what);
    }

    private static void assertBlobHeaders(
            String digest, int length, Addressing addressing, HttpResponse<byte[]> response, String what) {
        assertEquals("application/octet-stream", header(response, "Content-Type"), what);
        assertEquals(digest, header(response, "Docker-Content-Digest"), what);
        assertEquals(Integer.toString(length), header(response, "Content-Length"), what);
        assertEquals("bytes", header(response, "Accept-Ranges"), what);
        assertNamespace(addressing, response, what);
    }

    private static void assertNamespace(Addressing addressing, HttpResponse<byte[]> response, String what) {
        Optional<String> namespace = response.headers().firstValue("OCI-Namespace");
        assertEquals(addressing == Addressing.NS ? Optional.of(UP) : Optional.empty(), namespace, what);
    }

    private static void assertError(HttpResponse<byte[]> response, int status, String code) throws IOException {
        assertError(
                response,
                status,
                code,
                response.request().method() + " " + response.request().uri().getRawPath());
    }

    private static void assertError(HttpResponse<byte[]> response, int status, String code, String what)
            throws IOException {
        String body = text(response);
        assertEquals(status, response.statusCode(), what + ": " + body);
        assertEquals("application/json", header(response, "Content-Type"), what);
        JsonNode errors = JSON.readTree(body).path("errors");
        assertTrue(errors.isArray() && errors.size() == 1, what + ": " + body);
        assertEquals(code, errors.get(0).path("code").asText(), what + ": " + body);
        assertFalse(errors.get(0).path("message").asText().isEmpty(), what + ": " + body);
    }

    private static void assertNoUpstreamRequests() {
        List<AccessLogEntry> seen = registry.requestsSettled();
        assertEquals(List.of(), seen, "the upstream saw requests");
    }

    private static String largestAlpineBlob() throws Exception {
        String largest = null;
        long size = -1;
        for (String blob : seeded.alpine().blobDigests()) {
            long length = Long.parseLong(header(send("HEAD", "/v2/library/alpine/blobs/" + blob), "Content-Length"));
            if (length > size) {
                size = length;
                largest = blob;
            }
        }
        return largest;
    }

    private static List<String> tags(HttpResponse<byte[]> response) throws IOException {
        JsonNode json = JSON.readTree(response.body());
        assertTrue(json.path("name").isTextual(), text(response));
        List<String> tags = new ArrayList<>();
        json.path("tags").forEach(t -> tags.add(t.asText()));
        return tags;
    }

    private static final Pattern LINK = Pattern.compile("^<([^>]+)>;\\s*rel=\"next\"$");

    private static String nextLink(String header) {
        Matcher m = LINK.matcher(header);
        assertTrue(m.matches(), header);
        return m.group(1);
    }

    private static HttpResponse<byte[]> send(String method, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(wharf.url() + path))
                .timeout(Duration.ofSeconds(20))
                .method(
                        method,
                        method.equals("POST") || method.equals("PUT") || method.equals("PATCH")
                                ? HttpRequest.BodyPublishers.ofString("{}")
                                : HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            request.headers(headers);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String header(HttpResponse<byte[]> response, String name) {
        Optional<String> value = response.headers().firstValue(name);
        assertTrue(
                value.isPresent(), name + " missing from " + response.headers().map());
        return value.get();
    }

    private static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), UTF_8);
    }

    private static String sha256(byte[] bytes) {
        return Digest.sha256(bytes).toString();
    }

    private static String request(String method, String path) {
        return method + " " + path + " HTTP/1.1\r\nHost: wharf\r\n\r\n";
    }

    private static String upstream(String name, URI url) {
        return "  - name: " + name + "\n    url: " + url + "\n";
    }

    /** A JSON document shaped like a manifest but over the 4 MiB cap. */
    private static byte[] oversizedManifest() {
        String padding = "x".repeat(5 * 1024 * 1024);
        return ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST + "\",\"annotations\":{\"pad\":\""
                        + padding + "\"}}")
                .getBytes(UTF_8);
    }

    private record RawResponse(int status, Map<String, String> headers, byte[] body) {}

    /** One plain TCP connection to Wharf, for what java.net.http will not send. */
    private static final class RawConnection implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        RawConnection() throws IOException {
            socket = new Socket("127.0.0.1", wharf.url().getPort());
            socket.setSoTimeout(10_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        void write(String request) throws IOException {
            write(request.getBytes(US_ASCII));
        }

        void write(byte[] request) throws IOException {
            out.write(request);
            out.flush();
        }

        /** Reads one response; a HEAD response has headers only. */
        RawResponse read(boolean head) throws IOException {
            String statusLine = line();
            assertNotNull(statusLine, "connection closed before a response");
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line = line(); line != null && !line.isEmpty(); line = line()) {
                int colon = line.indexOf(':');
                headers.put(
                        line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        line.substring(colon + 1).trim());
            }
            byte[] body = new byte[0];
            String length = headers.get("content-length");
            if (!head && length != null) {
                body = in.readNBytes(Integer.parseInt(length));
            }
            return new RawResponse(status, headers, body);
        }

        boolean atEnd() throws IOException {
            try {
                return in.read() < 0;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                // A reset is a closed connection too.
                return true;
            }
        }

        private String line() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                if (b == '\n') {
                    String text = line.toString(US_ASCII);
                    return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
                }
                line.write(b);
            }
            return line.size() == 0 ? null : line.toString(US_ASCII);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
