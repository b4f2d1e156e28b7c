package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.lab.CapturedLogs;
import dev.wharf.proxy.lab.RunningWharf;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Why an upstream cannot be reached is told to the client and in the log: the DNS failure, the refused port. */
class UnreachableUpstreamIT {
    private static final String UPSTREAM = "unreachable.test";

    @TempDir
    Path data;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> manifest(RunningWharf wharf) throws Exception {
        return http.send(
                HttpRequest.newBuilder(wharf.url().resolve("/v2/" + UPSTREAM + "/team/app/manifests/1"))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private RunningWharf wharf(URI url) throws InterruptedException {
        return RunningWharf.start("upstreams:\n  - {name: " + UPSTREAM + ", url: \"" + url + "\", retries: 0}\n", data);
    }

    @Test
    void aHostThatDoesNotResolveIsReportedAsADnsFailure() throws Exception {
        try (CapturedLogs logs = CapturedLogs.start();
                RunningWharf wharf = wharf(URI.create("http://wharf-test.invalid"))) {
            HttpResponse<String> answer = manifest(wharf);

            assertEquals(502, answer.statusCode(), answer.body());
            assertTrue(
                    answer.body().contains("upstream " + UPSTREAM + " is unavailable: DNS lookup failed"),
                    answer.body());
            assertTrue(
                    logs.lines().stream().anyMatch(line -> line.contains("failed: DNS lookup failed")),
                    String.join("\n", logs.lines()));
        }
    }

    @Test
    void aClosedPortIsReportedAsConnectionRefused() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        try (RunningWharf wharf = wharf(URI.create("http://127.0.0.1:" + port))) {
            HttpResponse<String> answer = manifest(wharf);

            assertEquals(502, answer.statusCode(), answer.body());
            assertTrue(
                    answer.body().contains("upstream " + UPSTREAM + " is unavailable: connection refused"),
                    answer.body());
        }
    }
}
