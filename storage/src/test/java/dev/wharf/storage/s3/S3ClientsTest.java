package dev.wharf.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.wharf.storage.BlobInfo;
import dev.wharf.storage.Digest;
import dev.wharf.storage.StorageException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/** What the clients that {@link S3Clients} builds do on failure: retry throttling, and never print a secret. */
@ExtendWith(S3Lab.Extension.class)
class S3ClientsTest {
    private static final Digest DIGEST = Digest.sha256("x".getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path dir;

    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();

    /** A server answering 503 SlowDown to the first two requests, then a HEAD of a 5-byte object. */
    @BeforeEach
    void startThrottlingServer() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            if (requests.incrementAndGet() <= 2) {
                exchange.getResponseHeaders().add("Content-Type", "application/xml");
                byte[] body = "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"
                        .getBytes(StandardCharsets.UTF_8);
                boolean head = exchange.getRequestMethod().equals("HEAD");
                exchange.sendResponseHeaders(503, head ? -1 : body.length);
                if (!head) {
                    exchange.getResponseBody().write(body);
                }
            } else {
                exchange.getResponseHeaders().add("Content-Length", "5");
                exchange.getResponseHeaders().add("ETag", "\"e\"");
                exchange.sendResponseHeaders(200, -1);
            }
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    @Test
    void throttlingIsRetriedWithBackoff() {
        try (S3Client client = S3Clients.sync(throttled(3))) {
            S3BlobStore store = store(client);

            assertEquals(Optional.of(new BlobInfo(DIGEST, 5)), store.stat(DIGEST));
            assertEquals(3, requests.get());
        }
    }

    @Test
    void throttlingBeyondTheAttemptsFailsAsUnavailable() {
        try (S3Client client = S3Clients.sync(throttled(2))) {
            S3BlobStore store = store(client);

            StorageException e = assertThrows(StorageException.class, () -> store.stat(DIGEST));

            assertEquals(StorageException.Kind.UNAVAILABLE, e.kind());
            assertTrue(e.getMessage().contains("503"), e.getMessage());
            assertEquals(2, requests.get());
        }
    }

    @Test
    void aWrongSecretFailsAsUnavailableAndNeverShowsIt() {
        String secret = "wrong-secret-1f0c9d";
        S3ClientSettings settings = S3Lab.get().settings().withCredentials(S3Lab.ACCESS_KEY, secret);
        try (S3Client client = S3Clients.sync(settings)) {
            S3BlobStore store = S3BlobStore.open(
                    client, Optional.empty(), S3BlobSettings.of(S3Lab.get().freshBucket(), dir));

            StorageException e = assertThrows(StorageException.class, () -> store.stat(DIGEST));

            assertEquals(StorageException.Kind.UNAVAILABLE, e.kind());
            for (Throwable t = e; t != null; t = t.getCause()) {
                assertFalse(String.valueOf(t).contains(secret), "a message shows the secret: " + t);
            }
            assertFalse(settings.toString().contains(secret));
        }
    }

    private S3ClientSettings throttled(int attempts) {
        return S3ClientSettings.of("us-east-1")
                .withEndpoint(
                        URI.create("http://127.0.0.1:" + server.getAddress().getPort()), true)
                .withCredentials("id", "secret")
                .withRetries(attempts, Duration.ofMillis(5));
    }

    private S3BlobStore store(S3Client client) {
        return S3BlobStore.open(client, Optional.empty(), S3BlobSettings.of(new S3Bucket("throttled", ""), dir));
    }
}
