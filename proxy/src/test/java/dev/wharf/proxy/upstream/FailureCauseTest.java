package dev.wharf.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** The causes are read from what the JDK's HTTP client really throws, not from exceptions made up for the test. */
class FailureCauseTest {
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Throwable failureOf(URI uri) {
        try {
            http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            return e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return e;
        }
        throw new AssertionError("no failure from " + uri);
    }

    @Test
    void anUnresolvableHostIsADnsFailure() {
        // .invalid never resolves (RFC 2606).
        assertEquals("DNS lookup failed", FailureCause.of(failureOf(URI.create("http://wharf-test.invalid/v2/"))));
    }

    @Test
    void aClosedPortIsConnectionRefused() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        assertEquals("connection refused", FailureCause.of(failureOf(URI.create("http://127.0.0.1:" + port + "/v2/"))));
    }

    @Test
    void aTlsFailureGivesTheHandshakesReasonOnOneLine() {
        Throwable wrapped = new IOException(new SSLHandshakeException("PKIX path building failed: no path\nmore"));

        assertEquals("TLS handshake failed: PKIX path building failed: no path", FailureCause.of(wrapped));
    }

    @Test
    void anUnknownConnectFailureSaysSoWithoutDetail() {
        assertEquals("could not connect", FailureCause.of(new ConnectException()));
    }
}
