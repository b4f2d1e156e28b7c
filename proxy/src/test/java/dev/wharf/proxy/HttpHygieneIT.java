package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.lab.Canary;
import dev.wharf.proxy.lab.Canary.Answer;
import dev.wharf.proxy.lab.ImageFormat;
import dev.wharf.proxy.lab.ImageSeeder;
import dev.wharf.proxy.lab.LocalClient;
import dev.wharf.proxy.lab.RegistryProcess;
import dev.wharf.proxy.lab.RunningWharf;
import dev.wharf.proxy.lab.SeededImage;
import dev.wharf.storage.Digest;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The HTTP details a hostile or broken client or upstream tests: headers, framing, media types, early failures. */
class HttpHygieneIT {
    private static final LocalClient CLIENT = LocalClient.from(1);
    private static final String DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json";

    @Test
    void everyAnswerCarriesNosniff(@TempDir Path data) throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            SeededImage image = ImageSeeder.of(registry)
                    .seedImage("library/alpine", List.of("3.19"), ImageFormat.DOCKER, "amd64", 1);
            try (RunningWharf wharf = RunningWharf.start(RunningWharf.singleUpstream("up.test", registry), data)) {
                String blob = image.blobDigests().get(0);
                for (String request : List.of(
                        "GET /v2/ HTTP/1.1",
                        "GET /v2/library/alpine/manifests/3.19 HTTP/1.1",
                        "HEAD /v2/library/alpine/manifests/3.19 HTTP/1.1",
                        "GET /v2/library/alpine/blobs/" + blob + " HTTP/1.1",
                        "GET /v2/library/alpine/tags/list HTTP/1.1",
                        "GET /v2/library/absent/manifests/1 HTTP/1.1",
                        "DELETE /v2/library/alpine/manifests/3.19 HTTP/1.1",
                        "GET /v2/UPPER/manifests/1 HTTP/1.1",
                        "GET /v2/ HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked")) {
                    String answer = CLIENT.exchange(wharf.url(), request + "\r\nHost: w\r\nConnection: close\r\n\r\n");
                    assertTrue(
                            answer.contains("\r\nX-Content-Type-Options: nosniff\r\n"), request + ": " + head(answer));
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "GET /v2/ HTTP/1.1\r\nConnection: close\r\n\r\n",
                "GET /v2/ HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n",
                "GET /v2/ HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n",
                "GET /v2/ HTTP/0.9\r\nHost: a\r\n\r\n",
                "GET /v2/ HTTP/9.9\r\nHost: a\r\n\r\n",
                "GET /v2/ HTTP/2.0\r\nHost: a\r\n\r\n",
                "GET /v2/\r\n\r\n",
                "GET /v2/ HTTP/1.1 extra\r\nHost: a\r\n\r\n",
            })
    void requestsWithoutOneHostOrWithAnUnknownVersionAre400(String request, @TempDir Path data) throws Exception {
        try (Canary upstream = Canary.onLoopback();
                RunningWharf wharf = RunningWharf.start(yaml(upstream), data)) {
            String answer = CLIENT.exchange(wharf.url(), request);

            assertEquals(400, LocalClient.status(answer), answer);
            assertTrue(answer.contains("{\"errors\":[{\"code\":"), answer);
            assertEquals(List.of(), upstream.requests());
        }
    }

    @Test
    void http10WithoutHostIsServed(@TempDir Path data) throws Exception {
        try (Canary upstream = Canary.onLoopback();
                RunningWharf wharf = RunningWharf.start(yaml(upstream), data)) {
            assertEquals(200, LocalClient.status(CLIENT.exchange(wharf.url(), "GET /v2/ HTTP/1.0\r\n\r\n")));
        }
    }

    @Test
    void junkAfterAPipelinedRequestIsCutOffWithinTheHeaderTimeout(@TempDir Path data) throws Exception {
        try (Canary upstream = Canary.onLoopback();
                RunningWharf wharf = RunningWharf.start(yaml(upstream) + "limits: {headerTimeout: 1s}\n", data)) {
            for (String junk : List.of("JUNK", "\u0000\u0001\u0002", "GET /v2/ HTTP/1.1\r\nHost: a\r\nX-Half: ")) {
                long start = System.nanoTime();
                String answer = CLIENT.exchange(wharf.url(), "GET /v2/ HTTP/1.1\r\nHost: a\r\n\r\n" + junk);
                long millis = (System.nanoTime() - start) / 1_000_000;

                assertEquals(200, LocalClient.status(answer), answer);
                assertTrue(millis < 2_500, "closed after " + millis + " ms");
                System.out.printf("junk %s: closed after %d ms%n", junk.replaceAll("[^ -~]", "?"), millis);
            }
            String answer = CLIENT.exchange(wharf.url(), "GET /v2/ HTTP/1.1\r\nHost: a\r\n\r\nJUNK JUNK\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
            assertTrue(answer.contains("HTTP/1.1 400"), answer);
        }
    }

    @Test
    void aManifestIsServedWithAManifestTypeWhateverTheUpstreamSays(@TempDir Path data) throws Exception {
        String declared = "{\"schemaVersion\":2,\"mediaType\":\"" + DOCKER_V2 + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.docker.container.image.v1+json\",\"size\":2,\"digest\":\"sha256:"
                + "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\"},\"layers\":[]}";
        String undeclared = "<html><script>alert(1)</script></html>";
        String disagreeing = declared.replace(DOCKER_V2, "application/vnd.oci.image.index.v1+json");
        Map<String, String> bodies = Map.of(
                Digest.sha256(declared.getBytes(StandardCharsets.UTF_8)).toString(), declared,
                Digest.sha256(undeclared.getBytes(StandardCharsets.UTF_8)).toString(), undeclared,
                Digest.sha256(disagreeing.getBytes(StandardCharsets.UTF_8)).toString(), disagreeing);
        try (Canary upstream = Canary.onLoopback()) {
            upstream.answer(r -> {
                String digest = r.path().substring(r.path().lastIndexOf('/') + 1);
                String body = bodies.get(digest);
                String type = body == disagreeing ? DOCKER_V2 : "text/html";
                return body == null
                        ? Answer.of(404, Map.of())
                        : Answer.of(200, Map.of("Content-Type", type), body.getBytes(StandardCharsets.UTF_8));
            });
            try (RunningWharf wharf = RunningWharf.start(yaml(upstream), data)) {
                String path = "/v2/org/app/manifests/";
                String served =
                        CLIENT.get(wharf.url(), path + Digest.sha256(declared.getBytes(StandardCharsets.UTF_8)));
                assertEquals(200, LocalClient.status(served), served);
                assertEquals(DOCKER_V2, header(served, "Content-Type"));
                assertEquals("nosniff", header(served, "X-Content-Type-Options"));
                assertTrue(served.endsWith(declared));

                for (String refused : List.of(undeclared, disagreeing)) {
                    String answer =
                            CLIENT.get(wharf.url(), path + Digest.sha256(refused.getBytes(StandardCharsets.UTF_8)));
                    assertEquals(502, LocalClient.status(answer), answer);
                    assertEquals("application/json", header(answer, "Content-Type"));
                    assertTrue(!answer.contains("<script>"), answer);
                }
            }
        }
    }

    @Test
    void aBlobThatFailsBeforeItsFirstByteIsAnswered502WithABody(@TempDir Path data) throws Exception {
        String digest = "sha256:" + "cd".repeat(32);
        try (Canary upstream = Canary.onLoopback()) {
            // A megabyte announced, with the digest asked for, and nothing sent.
            upstream.answer(r -> new Answer(
                    200,
                    Map.of("Content-Type", "application/octet-stream", "Docker-Content-Digest", digest),
                    new byte[0],
                    1024 * 1024));
            try (RunningWharf wharf = RunningWharf.start(yaml(upstream), data);
                    Socket socket = CLIENT.connect(wharf.url())) {
                socket.getOutputStream()
                        .write(("GET /v2/org/app/blobs/" + digest + " HTTP/1.1\r\nHost: w\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                InputStream in = socket.getInputStream();
                String answer = LocalClient.readToEnd(in);

                assertEquals(502, LocalClient.status(answer), answer);
                assertTrue(answer.contains("{\"errors\":[{\"code\":"), answer);
                assertEquals(
                        answer.length() - answer.indexOf("\r\n\r\n") - 4,
                        Integer.parseInt(header(answer, "Content-Length")),
                        "a complete error body");
            }
        }
    }

    private static String yaml(Canary upstream) {
        return "defaultUpstream: up.test\nupstreams:\n  - name: up.test\n    url: " + upstream.url()
                + "\n    retries: 0\n";
    }

    private static String head(String answer) {
        int end = answer.indexOf("\r\n\r\n");
        return end < 0 ? answer : answer.substring(0, end);
    }

    private static String header(String answer, String name) {
        Matcher m = Pattern.compile("\r\n" + Pattern.quote(name) + ": ([^\r]*)\r\n", Pattern.CASE_INSENSITIVE)
                .matcher(head(answer) + "\r\n");
        return m.find() ? m.group(1) : "";
    }
}
