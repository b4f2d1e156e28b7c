package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.lab.Hashes;
import dev.wharf.proxy.lab.ImageFormat;
import dev.wharf.proxy.lab.ImageSeeder;
import dev.wharf.proxy.lab.MediaTypes;
import dev.wharf.proxy.lab.RegistryProcess;
import dev.wharf.proxy.lab.ResponseHead;
import dev.wharf.proxy.lab.SeededImage;
import dev.wharf.proxy.lab.WharfProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Wharf out of file descriptors (EMFILE on accept), as a real process: once its client connections and everything else
 * hold every descriptor its limit allows, a new connection is answered {@code 503} and closed at once instead of
 * hanging in the backlog, the log says so in one line instead of a stack trace per failed accept, and once
 * connections close, Wharf serves again from its cache without asking the upstream.
 */
@Timeout(180)
class DescriptorExhaustionIT {
    /** Descriptors left free once the limit is lowered: the connections that take them are held open. */
    private static final int FREE = 24;
    /** Bounds every read: a connection that neither answers nor closes in this time fails the test. */
    private static final int READ_TIMEOUT_MILLIS = 10_000;
    /** Clients that connect at once while descriptors are short. */
    private static final int BURST = 40;
    /** A refused connection is answered and closed within this (Wharf pauses accepting 1 s at most). */
    private static final long PROMPT_MILLIS = 3_000;

    private static final String EXHAUSTED = "cannot accept client connections";
    private static final String RECOVERED = "accepting client connections again";

    @Test
    void refusesPromptlyLogsOnceAndRecovers(@TempDir Path dir) throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            SeededImage image =
                    ImageSeeder.of(registry).seedImage("org/app", List.of("1.0"), ImageFormat.OCI, "amd64", 1);
            String yaml = "defaultUpstream: up.test\n"
                    + "upstreams:\n  - name: up.test\n    url: " + registry.url() + "\n"
                    + "freshness:\n  - match: \"*\"\n    tagTtl: 1h\n"
                    // Connections that wait for their next request are held, not closed, for the whole test.
                    + "limits: {headerTimeout: 120s, idleTimeout: 120s}\n";
            // 1024 at start: the connection limit becomes 1024 - 256 = 768, far above what is reached below, so what
            // refuses connections here is the accept failing, not the limit.
            try (WharfProcess wharf = WharfProcess.start(dir, yaml, 1024)) {
                String path = "/v2/org/app/manifests/1.0";
                assertManifest(wharf.url(), path, image);
                registry.clearRequests();

                // Everything but FREE descriptors is taken, as blob files, index files and upstream connections
                // would take them: the limit comes down to what is open now plus FREE.
                wharf.limitDescriptors(wharf.openDescriptors() + FREE);
                List<Socket> held = new ArrayList<>();
                try {
                    Refusal first = holdUntilRefused(wharf.url(), held);
                    // Up to the limit Wharf serves: at least half of the free descriptors take connections (the
                    // others may go to files and threads meanwhile; holes below the limit may add some).
                    assertTrue(held.size() >= FREE / 2, "held " + held.size());
                    assertRefusedPromptly(first);
                    for (int i = 0; i < 5; i++) {
                        assertRefusedPromptly(refusal(wharf.url()));
                    }
                    assertBurstRefusedPromptly(wharf.url());
                    // The connections already admitted are still served meanwhile.
                    assertEquals(
                            200, keepAliveGet(held.get(0), wharf.url(), "/v2/").status());
                } finally {
                    for (Socket socket : held) {
                        socket.close();
                    }
                }

                awaitLogLine(wharf, RECOVERED);
                assertManifest(wharf.url(), path, image);
                assertEquals(
                        0, registry.requestsSettled().size(), () -> "upstream requests: " + registry.requestsSettled());

                List<String> log = wharf.logLines();
                assertEquals(1, count(log, EXHAUSTED), () -> String.join("\n", log));
                assertEquals(1, count(log, RECOVERED), () -> String.join("\n", log));
                assertTrue(
                        log.stream()
                                .filter(line -> line.contains(EXHAUSTED))
                                .allMatch(line -> line.contains("Too many open files")),
                        () -> String.join("\n", log));
                // Netty's own reaction logs a stack trace per failed accept: none here, nor any other.
                assertEquals(0, count(log, "stack_trace"), () -> String.join("\n", log));
                assertEquals(0, count(log, "Failed to create a new channel"), () -> String.join("\n", log));
            }
        }
    }

    /** Opens connections, each kept alive after one answered request, until one is refused; returns that one. */
    private static Refusal holdUntilRefused(URI server, List<Socket> held) throws IOException {
        for (int i = 0; i < FREE + 64; i++) {
            Socket socket = connect(server);
            long started = System.nanoTime();
            ResponseHead head = keepAliveGet(socket, server, "/v2/");
            if (head.status() == 200) {
                held.add(socket);
                continue;
            }
            return new Refusal(socket, head, started);
        }
        throw new AssertionError("no connection refused after " + held.size() + " held");
    }

    private static Refusal refusal(URI server) throws IOException {
        Socket socket = connect(server);
        long started = System.nanoTime();
        return new Refusal(socket, keepAliveGet(socket, server, "/v2/"), started);
    }

    /**
     * {@link #BURST} clients connect and send their request at once, as a client pool does: each one is refused in
     * turn, every one of them within {@link #PROMPT_MILLIS} of the first connect.
     */
    private static void assertBurstRefusedPromptly(URI server) throws IOException {
        long started = System.nanoTime();
        List<Socket> burst = new ArrayList<>();
        try {
            for (int i = 0; i < BURST; i++) {
                Socket socket = connect(server);
                burst.add(socket);
                socket.getOutputStream()
                        .write(("GET /v2/ HTTP/1.1\r\nHost: " + server.getAuthority() + "\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
            }
            for (Socket socket : burst) {
                ResponseHead head = ResponseHead.read(socket.getInputStream());
                assertRefusedPromptly(new Refusal(socket, head, started));
            }
        } finally {
            for (Socket socket : burst) {
                socket.close();
            }
        }
    }

    /** A refusal is a 503 with an OCI error body and {@code Retry-After}, then the connection closes, all promptly. */
    private static void assertRefusedPromptly(Refusal refusal) throws IOException {
        try (Socket socket = refusal.socket()) {
            assertEquals(503, refusal.head().status());
            assertEquals("1", refusal.head().header("Retry-After").orElse(""));
            InputStream in = socket.getInputStream();
            byte[] body = in.readNBytes(
                    Integer.parseInt(refusal.head().header("Content-Length").orElseThrow()));
            assertTrue(new String(body, StandardCharsets.UTF_8).contains("\"code\":\"UNAVAILABLE\""));
            assertConnectionEnds(in);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - refusal.started());
            assertTrue(millis < PROMPT_MILLIS, "refused after " + millis + " ms");
        }
    }

    /**
     * The server closed the connection: end of stream, or a reset (closing with the client's request unread sends
     * RST). A read that times out is neither, and fails the test.
     */
    private static void assertConnectionEnds(InputStream in) throws IOException {
        try {
            assertEquals(-1, in.read(), "the refused connection is closed");
        } catch (SocketTimeoutException hung) {
            throw new AssertionError("the refused connection was left open", hung);
        } catch (SocketException reset) {
            assertTrue(String.valueOf(reset.getMessage()).contains("reset"), reset.toString());
        }
    }

    private static Socket connect(URI server) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(server.getHost(), server.getPort()), READ_TIMEOUT_MILLIS);
        // A read that waits longer fails the test (SocketTimeoutException): nothing may hang.
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        return socket;
    }

    /** Sends a keep-alive GET and reads the head, and the body when the answer is 200. */
    private static ResponseHead keepAliveGet(Socket socket, URI server, String path) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: " + server.getAuthority() + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        ResponseHead head = ResponseHead.read(socket.getInputStream());
        if (head.status() == 200) {
            socket.getInputStream()
                    .readNBytes(Integer.parseInt(head.header("Content-Length").orElse("0")));
        }
        return head;
    }

    private static void assertManifest(URI server, String path, SeededImage image) throws IOException {
        try (Socket socket = connect(server)) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + server.getAuthority() + "\r\nAccept: "
                            + MediaTypes.ACCEPT_ALL_MANIFESTS + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            ResponseHead head = ResponseHead.read(in);
            assertEquals(200, head.status());
            assertEquals(
                    image.manifestDigest(), head.header("Docker-Content-Digest").orElse(""));
            byte[] body =
                    in.readNBytes(Integer.parseInt(head.header("Content-Length").orElseThrow()));
            MessageDigest hash = Hashes.sha256();
            hash.update(body);
            assertEquals(image.manifestDigest(), Hashes.finish(hash).toString());
        }
    }

    private static void awaitLogLine(WharfProcess wharf, String text) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (count(wharf.logLines(), text) > 0) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no log line with \"" + text + "\" within 15 s:\n" + wharf.log());
    }

    private static long count(List<String> lines, String text) {
        return lines.stream().filter(line -> line.contains(text)).count();
    }

    private record Refusal(Socket socket, ResponseHead head, long started) {}
}
