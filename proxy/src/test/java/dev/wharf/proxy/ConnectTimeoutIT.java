package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.lab.RunningWharf;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upstream whose connections are never accepted (a listening socket with a full backlog drops every new SYN):
 * each upstream's own {@code connectTimeout} decides how long a client of an uncached reference waits.
 */
class ConnectTimeoutIT {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path data;

    @Test
    void eachUpstreamsConnectTimeoutBoundsTheWaitForAConnectionThatIsNeverAccepted() throws Exception {
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<Socket> queued = fillBacklog(full);
            String url = "http://127.0.0.1:" + full.getLocalPort();
            String yaml = "defaultUpstream: quick.test\nupstreams:\n"
                    + "  - name: quick.test\n    url: " + url + "\n    connectTimeout: 1s\n    retries: 0\n"
                    + "  - name: patient.test\n    url: " + url + "\n    connectTimeout: 4s\n    retries: 0\n";
            try (RunningWharf wharf = RunningWharf.start(yaml, data)) {
                long quick = timedFailure(wharf, "quick.test");
                long patient = timedFailure(wharf, "patient.test");

                assertTrue(quick >= 900 && quick < 3_000, "quick.test gave up after " + quick + " ms");
                assertTrue(patient >= 3_900 && patient < 7_000, "patient.test gave up after " + patient + " ms");
            } finally {
                for (Socket socket : queued) {
                    socket.close();
                }
            }
        }
    }

    /** Connects until the kernel stops completing connections to {@code server}: its accept queue is full. */
    private static List<Socket> fillBacklog(ServerSocket server) throws IOException {
        List<Socket> queued = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            Socket socket = new Socket();
            try {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), 500);
                queued.add(socket);
            } catch (SocketTimeoutException e) {
                socket.close();
                return queued;
            }
        }
        throw new IllegalStateException("the backlog never filled");
    }

    /** Asks Wharf for an uncached manifest of {@code upstream}: 504 naming the upstream; returns the ms it took. */
    private static long timedFailure(RunningWharf wharf, String upstream) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(wharf.url().resolve("/v2/" + upstream + "/org/app/manifests/1.0"))
                .timeout(Duration.ofSeconds(30))
                .build();
        long started = System.nanoTime();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
        assertEquals(504, response.statusCode(), response.body());
        assertTrue(response.body().contains("upstream " + upstream + " timed out"), response.body());
        return millis;
    }
}
