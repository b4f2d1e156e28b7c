package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.lab.Canary;
import dev.wharf.proxy.lab.Canary.Answer;
import dev.wharf.proxy.lab.RunningWharf;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A hostile upstream configured with credentials tries to make Wharf send them, or any request, elsewhere: a token
 * realm on another port, redirects to other ports and to loopback. A canary server counts what reaches it.
 */
class CredentialCanaryIT {
    private static final String SECRET = "S3NT1NEL-canary-password";
    private static final String BLOB = "/v2/org/app/blobs/sha256:" + "ab".repeat(32);
    private static final String MANIFEST = "/v2/org/app/manifests/1.0";
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aTokenRealmOnAnotherPortOfTheUpstreamHostReceivesNothing(@TempDir Path data) throws Exception {
        try (Canary canary = Canary.onLoopback();
                Canary upstream = Canary.onLoopback()) {
            upstream.answer(r -> bearer("http://127.0.0.1:" + canary.port() + "/token"));
            try (RunningWharf wharf = RunningWharf.start(yaml(upstream.url(), ""), data)) {
                int status = get(wharf, MANIFEST);

                assertTrue(status >= 400, "status " + status);
                assertEquals(0, canary.requests().size(), () -> "canary reached: " + canary.requests());
                assertFalse(upstream.requests().isEmpty(), "the upstream was asked");
            }
        }
    }

    @Test
    void theSameRealmAllowListedByHostAndPortIsAsked(@TempDir Path data) throws Exception {
        // The control: the canary would have seen the credentials had the rule let the realm through.
        try (Canary canary = Canary.onLoopback();
                Canary upstream = Canary.onLoopback()) {
            canary.answer(r -> Answer.of(401, Map.of()));
            upstream.answer(r -> bearer("http://127.0.0.1:" + canary.port() + "/token"));
            String allow = "    authRealmHosts: ['127.0.0.1:" + canary.port() + "']\n";
            try (RunningWharf wharf = RunningWharf.start(yaml(upstream.url(), allow), data)) {
                get(wharf, MANIFEST);

                assertEquals(1, canary.credentialsReceived(SECRET), () -> "canary saw: " + canary.requests());
            }
        }
    }

    @Test
    void aRedirectToAnotherLoopbackPortCarriesNoCredentials(@TempDir Path data) throws Exception {
        try (Canary canary = Canary.onLoopback();
                Canary upstream = Canary.onLoopback()) {
            upstream.answer(r -> r.header("Authorization").isEmpty()
                    ? Answer.of(401, Map.of("WWW-Authenticate", "Basic realm=\"r\""))
                    : Answer.of(307, Map.of("Location", canary.url() + "/bucket/blob")));
            try (RunningWharf wharf = RunningWharf.start(yaml(upstream.url(), ""), data)) {
                int status = get(wharf, BLOB);

                assertTrue(status >= 400, "status " + status);
                assertEquals(1, canary.requests().size(), () -> "canary saw: " + canary.requests());
                assertEquals(0, canary.credentialsReceived(SECRET), () -> "canary saw: " + canary.requests());
                assertTrue(
                        upstream.requests().stream()
                                .anyMatch(r -> r.header("Authorization").isPresent()),
                        "the upstream itself got the credentials");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:PORT/blob", "http://localhost:PORT/blob", "http://[::1]:PORT/blob"})
    void anUpstreamOnAnotherAddressCannotRedirectToLoopback(String target, @TempDir Path data) throws Exception {
        try (Canary canary = Canary.onLoopback();
                Canary upstream = Canary.on(nonLoopbackAddress())) {
            String location = target.replace("PORT", String.valueOf(canary.port()));
            upstream.answer(r -> Answer.of(307, Map.of("Location", location)));
            try (RunningWharf wharf = RunningWharf.start(yaml(upstream.url(), ""), data)) {
                int status = get(wharf, BLOB);

                assertEquals(502, status);
                assertEquals(1, upstream.requests().size(), () -> "upstream saw: " + upstream.requests());
                assertEquals(0, canary.requests().size(), () -> "canary reached: " + canary.requests());
            }
        }
    }

    private static Answer bearer(String realm) {
        return Answer.of(401, Map.of("WWW-Authenticate", "Bearer realm=\"" + realm + "\",service=\"evil\""));
    }

    private static String yaml(URI upstream, String more) {
        return "defaultUpstream: evil.test\nupstreams:\n  - name: evil.test\n    url: " + upstream
                + "\n    username: robot\n    password: " + SECRET + "\n    retries: 0\n" + more;
    }

    private int get(RunningWharf wharf, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(wharf.url().resolve(path))
                .timeout(Duration.ofSeconds(30))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** An IPv4 address of this host that is neither loopback nor link-local: the test needs one to exist. */
    private static InetAddress nonLoopbackAddress() throws SocketException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (address instanceof Inet4Address && !address.isLinkLocalAddress()) {
                    return address;
                }
            }
        }
        throw new AssertionError("this test needs a network interface with a non-loopback IPv4 address");
    }
}
