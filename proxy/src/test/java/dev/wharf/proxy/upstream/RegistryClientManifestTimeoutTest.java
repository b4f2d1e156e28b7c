package dev.wharf.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.wharf.storage.Digest;
import dev.wharf.storage.RepositoryName;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Manifest, tag list and token requests wait for response headers at most the manifest timeout; blobs wait the read
 * timeout. The upstream holds every answer until the test releases it, so a blob's headers arrive only after a
 * manifest request has already timed out.
 */
class RegistryClientManifestTimeoutTest {
    private static final Duration MANIFEST_TIMEOUT = Duration.ofMillis(300);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(3);
    private static final RepositoryName REPO = RepositoryName.parse("library/alpine");
    private static final byte[] BLOB = "layer bytes".getBytes(StandardCharsets.UTF_8);
    private static final Digest DIGEST = Digest.sha256(BLOB);
    private static final byte[] MANIFEST = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
    private static final String TOKEN_PATH = "/token";

    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch blobRequested = new CountDownLatch(1);
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final HttpServer server = server();
    private final String realm = "http://127.0.0.1:" + server.getAddress().getPort() + TOKEN_PATH;

    @AfterEach
    void close() {
        release.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    @ParameterizedTest
    @ValueSource(strings = {"HEAD manifest", "GET manifest", "GET tags"})
    void aHeldManifestAnswerTimesOutAfterTheManifestTimeoutWhileABlobHeldAsLongSucceeds(String call) throws Exception {
        serve(false);
        RegistryClient client = client();
        long blobStart = System.nanoTime();
        CompletableFuture<byte[]> blob = CompletableFuture.supplyAsync(() -> readBlob(client), executor);
        assertTrue(blobRequested.await(10, TimeUnit.SECONDS), "the blob request reached the upstream");

        long start = System.nanoTime();
        UpstreamException e = assertThrows(UpstreamException.class, () -> metadataCall(client, call));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        release.countDown();

        assertEquals(UpstreamException.Kind.UNAVAILABLE, e.kind());
        assertTrue(e.timedOut(), e.getMessage());
        assertTrue(took.compareTo(MANIFEST_TIMEOUT) >= 0, "waited the manifest timeout: " + took);
        assertTrue(took.compareTo(READ_TIMEOUT.minusMillis(500)) < 0, "not the read timeout: " + took);
        assertArrayEquals(BLOB, blob.get(10, TimeUnit.SECONDS));
        Duration blobTook = Duration.ofNanos(System.nanoTime() - blobStart);
        assertTrue(blobTook.compareTo(MANIFEST_TIMEOUT) > 0, "the blob waited longer than a manifest may: " + blobTook);
    }

    @Test
    void aHeldTokenAnswerTimesOutAfterTheManifestTimeoutEvenForABlob() {
        serve(true);

        long start = System.nanoTime();
        UpstreamException e = assertThrows(UpstreamException.class, () -> readBlob(client()));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertTrue(e.timedOut(), e.getMessage());
        assertTrue(e.getMessage().contains("GET " + TOKEN_PATH), e.getMessage());
        assertTrue(took.compareTo(MANIFEST_TIMEOUT) >= 0, "waited the manifest timeout: " + took);
        assertTrue(took.compareTo(READ_TIMEOUT.minusMillis(500)) < 0, "not the read timeout: " + took);
    }

    @Test
    void theShorterConstructorDefaultsTheManifestTimeoutToTenSecondsOrTheReadTimeoutWhenShorter() {
        URI base = URI.create("http://127.0.0.1:1");
        UpstreamSettings slow = new UpstreamSettings(
                "hub",
                base,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                List.of(),
                Duration.ofSeconds(5),
                Duration.ofSeconds(60));
        UpstreamSettings quick = new UpstreamSettings(
                "hub",
                base,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                List.of(),
                Duration.ofSeconds(5),
                READ_TIMEOUT);

        assertEquals(Duration.ofSeconds(10), slow.manifestTimeout());
        assertEquals(READ_TIMEOUT, quick.manifestTimeout());
        assertEquals(
                Duration.ofSeconds(10), UpstreamSettings.anonymous("hub", base).manifestTimeout());
    }

    private RegistryClient client() {
        UpstreamSettings settings = new UpstreamSettings(
                "hub",
                URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                List.of(),
                Duration.ofSeconds(5),
                READ_TIMEOUT,
                MANIFEST_TIMEOUT);
        return new RegistryClient(settings, TestWatchdog.SHARED);
    }

    private static void metadataCall(RegistryClient client, String call) {
        switch (call) {
            case "HEAD manifest" -> client.headManifest(REPO, "latest");
            case "GET manifest" -> client.fetchManifest(REPO, "latest");
            default -> client.fetchTags(REPO);
        }
    }

    private static byte[] readBlob(RegistryClient client) {
        try (BlobResponse response = client.fetchBlob(REPO, DIGEST)) {
            return response.body().readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Holds every answer until {@link #release}. With {@code bearer}, requests without a token are challenged at
     * once to fetch one from this server's token path, whose answer is held.
     */
    private void serve(boolean bearer) {
        server.createContext("/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                boolean authorized = exchange.getRequestHeaders().containsKey("Authorization");
                if (bearer && !path.equals(TOKEN_PATH) && !authorized) {
                    exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"" + realm + "\"");
                    exchange.sendResponseHeaders(401, -1);
                    return;
                }
                if (path.contains("/blobs/")) {
                    blobRequested.countDown();
                }
                if (!release.await(30, TimeUnit.SECONDS)) {
                    return;
                }
                if (path.equals(TOKEN_PATH)) {
                    respond(exchange, "application/json", "{\"token\":\"t\"}".getBytes(StandardCharsets.UTF_8));
                } else if (path.contains("/blobs/")) {
                    respond(exchange, "application/octet-stream", BLOB);
                } else if (path.endsWith("/tags/list")) {
                    respond(exchange, "application/json", "{\"tags\":[\"a\"]}".getBytes(StandardCharsets.UTF_8));
                } else {
                    respond(exchange, "application/vnd.oci.image.manifest.v1+json", MANIFEST);
                }
            } catch (IOException | InterruptedException clientWentAway) {
                // A client that timed out has dropped the connection; that is what these tests expect.
            }
        });
        server.start();
    }

    private static void respond(HttpExchange exchange, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", type);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(200, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private HttpServer server() {
        try {
            HttpServer created = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            created.setExecutor(executor);
            return created;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
