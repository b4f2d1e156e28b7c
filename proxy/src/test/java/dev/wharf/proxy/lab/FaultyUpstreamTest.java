package dev.wharf.proxy.lab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.wharf.proxy.lab.FaultyUpstream.Fault;
import dev.wharf.proxy.lab.FaultyUpstream.Request;
import dev.wharf.storage.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The fault-injecting proxy in front of a small in-process backend that serves one blob. */
class FaultyUpstreamTest {
    private static final byte[] BLOB = blob(64);
    private static final String PATH = "/v2/lib/app/blobs/" + Digest.sha256(BLOB);

    private final HttpServer backend = backend();
    private final FaultyUpstream upstream = FaultyUpstream.fronting(
            URI.create("http://127.0.0.1:" + backend.getAddress().getPort()));
    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @AfterEach
    void stop() {
        upstream.close();
        backend.stop(0);
    }

    @Test
    void healthyItForwardsStatusHeadersAndBytesAndCountsByMethodAndPath() throws Exception {
        HttpResponse<byte[]> get = get(PATH);
        HttpResponse<Void> head = http.send(
                HttpRequest.newBuilder(upstream.url().resolve(PATH))
                        .method("HEAD", HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.discarding());
        HttpResponse<byte[]> missing = get("/v2/lib/app/blobs/nope");

        assertEquals(200, get.statusCode());
        assertArrayEquals(BLOB, get.body());
        assertEquals(Optional.of(Digest.sha256(BLOB).toString()), get.headers().firstValue("Docker-Content-Digest"));
        assertEquals(200, head.statusCode());
        assertEquals(Optional.of("64"), head.headers().firstValue("Content-Length"));
        assertEquals(404, missing.statusCode());
        assertEquals(
                List.of(
                        new Request("GET", PATH),
                        new Request("HEAD", PATH),
                        new Request("GET", "/v2/lib/app/blobs/nope")),
                upstream.requests());
        assertEquals(2, upstream.count("GET", p -> p.startsWith("/v2/lib/app/blobs/")));
        assertEquals(1, upstream.count("HEAD", PATH::equals));
    }

    @Test
    void refuseClosesThePortAndHealingListensAgainOnTheSamePort() throws Exception {
        assertEquals(200, get(PATH).statusCode(), "opens a kept-alive connection first");

        upstream.inject(Fault.refuse());
        assertThrows(ConnectException.class, () -> get(PATH));

        upstream.heal();
        assertEquals(200, get(PATH).statusCode());
    }

    @Test
    void blackholeAcceptsAndNeverAnswers() {
        upstream.inject(Fault.blackhole());

        HttpRequest request = HttpRequest.newBuilder(upstream.url().resolve(PATH))
                .timeout(Duration.ofMillis(300))
                .build();
        assertThrows(HttpTimeoutException.class, () -> http.send(request, HttpResponse.BodyHandlers.ofByteArray()));
        assertEquals(1, upstream.count("GET", PATH::equals), "the request arrived");
    }

    @Test
    void resetAfterHeadersSendsTheStatusLineThenResets() throws Exception {
        upstream.inject(Fault.resetAfterHeaders());

        Raw raw = raw(PATH);

        assertTrue(raw.head().startsWith("http/1.1 200 ok"), raw.head());
        assertTrue(raw.head().contains("content-length: 64"), raw.head());
        assertEquals(0, raw.body().length);
    }

    @Test
    void truncateSendsTheTrueLengthThenHalfTheBodyThenCloses() throws Exception {
        upstream.inject(Fault.truncate());

        Raw raw = raw(PATH);

        assertTrue(raw.head().contains("content-length: 64"), raw.head());
        assertArrayEquals(Arrays.copyOf(BLOB, 32), raw.body());
        assertThrows(IOException.class, () -> get(PATH), "a client sees the body end early");
    }

    @Test
    void wrongBytesKeepsTheLengthAndDigestHeaderButNotTheBytes() throws Exception {
        upstream.inject(Fault.wrongBytes());

        HttpResponse<byte[]> response = get(PATH);

        assertEquals(64, response.body().length);
        assertEquals(
                Optional.of(Digest.sha256(BLOB).toString()), response.headers().firstValue("Docker-Content-Digest"));
        assertNotEquals(Digest.sha256(BLOB), Digest.sha256(response.body()));
    }

    @Test
    void dribbleSendsTheWholeBodyInPiecesOneIntervalApart() throws Exception {
        upstream.inject(Fault.dribble(16, Duration.ofMillis(50)));

        long start = System.nanoTime();
        HttpResponse<byte[]> response = get(PATH);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertArrayEquals(BLOB, response.body());
        assertTrue(took.compareTo(Duration.ofMillis(150)) >= 0, "4 pieces need 3 intervals, took " + took);
    }

    @Test
    void holdSendsTheHeadersAndTheFirstBytesThenTheRestOnceReleased() throws Exception {
        CompletableFuture<Void> release = new CompletableFuture<>();
        upstream.inject(Fault.hold(16, release));

        try (RawGet get = RawGet.send(upstream.url(), "GET", PATH)) {
            assertEquals(200, get.status());
            assertEquals(64, get.contentLength());
            get.read(16);
            assertEquals(Digest.sha256(Arrays.copyOf(BLOB, 16)), get.digest(), "the first bytes arrive at once");

            release.complete(null);
            get.readRest();

            assertEquals(Digest.sha256(BLOB), get.digest());
        }
    }

    @Test
    void statusAnswersWithoutAskingTheBackendAndWithRetryAfter() throws Exception {
        upstream.inject(Fault.status(429, Duration.ofSeconds(7)));
        HttpResponse<byte[]> limited = get(PATH);
        upstream.inject(Fault.status(503));
        HttpResponse<byte[]> unavailable = get(PATH);

        assertEquals(429, limited.statusCode());
        assertEquals(Optional.of("7"), limited.headers().firstValue("Retry-After"));
        assertTrue(new String(limited.body(), StandardCharsets.UTF_8).contains("TOOMANYREQUESTS"));
        assertEquals(503, unavailable.statusCode());
        assertFalse(unavailable.headers().firstValue("Retry-After").isPresent());
    }

    @Test
    void failEveryFailsEachKthRequestOnly() throws Exception {
        upstream.inject(Fault.failEvery(3, Fault.status(500)));

        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            statuses.add(get(PATH).statusCode());
        }

        assertEquals(List.of(200, 200, 500, 200, 200, 500), statuses);
    }

    @Test
    void aFaultLimitedToSomePathsLeavesTheOthersAlone() throws Exception {
        upstream.inject(Fault.status(503), p -> p.contains("/manifests/"));

        assertEquals(200, get(PATH).statusCode());
        assertEquals(503, get("/v2/lib/app/manifests/1.0").statusCode());
    }

    @Test
    void anUnreachableBackendIsA502() throws Exception {
        backend.stop(0);

        assertEquals(502, get(PATH).statusCode());
    }

    private HttpResponse<byte[]> get(String path) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(upstream.url().resolve(path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** What a raw socket reads for a GET until the server closes: the header block and whatever body followed. */
    private record Raw(String head, byte[] body) {}

    private Raw raw(String path) throws IOException {
        try (Socket socket =
                new Socket(InetAddress.getLoopbackAddress(), upstream.url().getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream()
                    .write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    all.write(buffer, 0, n);
                }
            } catch (SocketException reset) {
                // A reset ends the stream too; what arrived before it is kept.
            }
            byte[] bytes = all.toByteArray();
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            if (end < 0) {
                return new Raw(text, new byte[0]);
            }
            return new Raw(
                    text.substring(0, end).toLowerCase(Locale.ROOT), Arrays.copyOfRange(bytes, end + 4, bytes.length));
        }
    }

    private static byte[] blob(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 7 + 3);
        }
        return bytes;
    }

    private static HttpServer backend() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", exchange -> {
                try (exchange) {
                    if (!exchange.getRequestURI().getPath().equals(PATH)) {
                        exchange.sendResponseHeaders(404, -1);
                        return;
                    }
                    exchange.getResponseHeaders()
                            .set("Docker-Content-Digest", Digest.sha256(BLOB).toString());
                    exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
                    if (exchange.getRequestMethod().equals("HEAD")) {
                        exchange.getResponseHeaders().set("Content-Length", "64");
                        exchange.sendResponseHeaders(200, -1);
                        return;
                    }
                    exchange.sendResponseHeaders(200, BLOB.length);
                    exchange.getResponseBody().write(BLOB);
                }
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
