package dev.wharf.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.wharf.storage.Digest;
import dev.wharf.storage.RepositoryName;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Bodies that stop arriving fail after the read timeout; bodies that keep arriving, however slowly, do not. */
class RegistryClientBodyTimeoutTest {
    private static final Duration READ_TIMEOUT = Duration.ofMillis(300);
    private static final RepositoryName REPO = RepositoryName.parse("library/alpine");
    private static final byte[] BLOB = blob(4000);
    private static final Digest DIGEST = Digest.sha256(BLOB);

    private final CountDownLatch stop = new CountDownLatch(1);
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final HttpServer server = server();
    private final AtomicInteger requests = new AtomicInteger();

    @AfterEach
    void close() {
        stop.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    @Test
    void aBlobBodyThatStallsFailsAsTimedOutAfterTheReadTimeout() {
        serve(400, Duration.ofMinutes(5));

        long start = System.nanoTime();
        UpstreamException e;
        try (BlobResponse response = client().fetchBlob(REPO, DIGEST)) {
            InputStream body = response.body();
            e = assertThrows(UpstreamException.class, body::readAllBytes);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertEquals(UpstreamException.Kind.UNAVAILABLE, e.kind());
        assertTrue(e.timedOut());
        assertTrue(e.getMessage().contains("body stalled"), e.getMessage());
        assertTrue(e.getMessage().startsWith("upstream hub: GET /v2/library/alpine/blobs/"), e.getMessage());
        assertTrue(took.compareTo(READ_TIMEOUT) >= 0, "waited for the timeout: " + took);
        assertTrue(took.compareTo(READ_TIMEOUT.plusSeconds(2)) < 0, "no longer than the timeout: " + took);
    }

    @Test
    void aBlobBodyThatKeepsArrivingIsReadWholeEvenWhenItTakesLongerThanTheReadTimeout() throws IOException {
        serve(400, Duration.ofMillis(100));

        long start = System.nanoTime();
        byte[] read;
        try (BlobResponse response = client().fetchBlob(REPO, DIGEST)) {
            read = response.body().readAllBytes();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertArrayEquals(BLOB, read);
        assertTrue(took.compareTo(READ_TIMEOUT.multipliedBy(2)) > 0, "the body outlasted the timeout: " + took);
    }

    @Test
    void aManifestBodyThatStallsFailsAsTimedOut() {
        serve(10, Duration.ofMinutes(5));

        UpstreamException e = assertThrows(UpstreamException.class, () -> client().fetchManifest(REPO, "latest"));

        assertEquals(UpstreamException.Kind.UNAVAILABLE, e.kind());
        assertTrue(e.timedOut());
    }

    @Test
    void aManifestBodyThatStalledIsNotRetried() {
        serve(10, Duration.ofMinutes(5));
        RetryingClient retrying =
                new RetryingClient(client(), RetryingClient.Policy.defaults(3), wait -> {}, () -> 0.0);

        UpstreamException e = assertThrows(UpstreamException.class, () -> retrying.fetchManifest(REPO, "latest"));

        assertTrue(e.timedOut());
        assertEquals(1, requests.get());
    }

    @Test
    void aStalledBodyFailsEveryLaterReadToo() {
        serve(400, Duration.ofMinutes(5));

        try (BlobResponse response = client().fetchBlob(REPO, DIGEST)) {
            InputStream body = response.body();
            assertThrows(UpstreamException.class, body::readAllBytes);
            UpstreamException again = assertThrows(UpstreamException.class, body::read);
            assertTrue(again.timedOut());
        }
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
                READ_TIMEOUT);
        return new RegistryClient(settings, TestWatchdog.SHARED);
    }

    /** Answers every GET with BLOB's length and a manifest type, {@code piece} bytes at a time, {@code gap} apart. */
    private void serve(int piece, Duration gap) {
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            try (exchange) {
                exchange.getResponseHeaders().add("Content-Type", "application/vnd.oci.image.manifest.v1+json");
                exchange.sendResponseHeaders(200, BLOB.length);
                OutputStream out = exchange.getResponseBody();
                for (int offset = 0; offset < BLOB.length; offset += piece) {
                    if (offset > 0 && stop.await(gap.toNanos(), TimeUnit.NANOSECONDS)) {
                        return;
                    }
                    out.write(BLOB, offset, Math.min(piece, BLOB.length - offset));
                    out.flush();
                }
                out.close();
            } catch (IOException | InterruptedException clientWentAway) {
                // The client dropping a stalled connection is what the stall tests expect.
            }
        });
        server.start();
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

    private static byte[] blob(int size) {
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, (byte) 'w');
        return bytes;
    }
}
