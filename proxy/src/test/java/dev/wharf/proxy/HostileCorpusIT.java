package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.lab.ImageFormat;
import dev.wharf.proxy.lab.ImageSeeder;
import dev.wharf.proxy.lab.LocalClient;
import dev.wharf.proxy.lab.RegistryProcess;
import dev.wharf.proxy.lab.RunningWharf;
import dev.wharf.proxy.lab.SeededImage;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A generated corpus of hostile requests (names, digests, tags, every method on every route, ranges, header sizes,
 * request-smuggling shapes, pagination numbers, {@code ns} naming internal addresses) against a real Wharf in front of
 * a real registry: no 5xx of Wharf's own, no connection ended without an answer, an OCI error body on every 4xx, and
 * not one request reaches the upstream.
 */
class HostileCorpusIT {
    private static final String UP = "up.test";
    private static final String DIGEST = "sha256:" + "0123456789abcdef".repeat(4);
    private static final List<String> METHODS =
            List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND", "FOO");
    private static final List<String> WRITE_METHODS =
            List.of("POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND", "FOO", "MKCOL");

    /** One raw request, and what it is meant to probe. */
    record Probe(String kind, String raw) {}

    @Test
    void noHostileRequestCausesA5xxAResetOrAnUpstreamRequest(@TempDir Path data) throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            SeededImage image = ImageSeeder.of(registry)
                    .seedImage("library/alpine", List.of("3.19"), ImageFormat.DOCKER, "amd64", 1);
            String yaml = RunningWharf.singleUpstream(UP, registry) + "limits: {maxConnectionsPerAddress: 4096}\n";
            try (RunningWharf wharf = RunningWharf.start(yaml, data)) {
                String blob = image.blobDigests().get(0);
                // Cache what the range probes read, then count only what the corpus causes.
                assertEquals(
                        200,
                        LocalClient.status(LocalClient.from(1).get(wharf.url(), "/v2/library/alpine/blobs/" + blob)));
                // The Host header must not choose an upstream: one probe asks for this cached tag naming another host.
                assertEquals(
                        200,
                        LocalClient.status(LocalClient.from(1).get(wharf.url(), "/v2/library/alpine/manifests/3.19")));
                registry.requestsSettled();
                int before = registry.requests().size();

                List<Probe> corpus = corpus(blob);
                long start = System.nanoTime();
                List<String> problems = run(wharf.url(), corpus);
                long millis = (System.nanoTime() - start) / 1_000_000;

                registry.requestsSettled();
                int caused = registry.requests().size() - before;
                Map<String, Integer> kinds = new TreeMap<>();
                corpus.forEach(p -> kinds.merge(p.kind(), 1, Integer::sum));
                System.out.printf(
                        "hostile corpus: %d requests %s in %d ms; problems %d; upstream requests caused %d%n",
                        corpus.size(), kinds, millis, problems.size(), caused);
                assertTrue(corpus.size() >= 5_000, "corpus size " + corpus.size());
                assertEquals(
                        List.of(), problems.subList(0, Math.min(20, problems.size())), problems.size() + " problems");
                assertEquals(
                        0,
                        caused,
                        () -> "upstream requests: "
                                + registry.requests()
                                        .subList(before, registry.requests().size()));
                assertEquals(200, LocalClient.status(LocalClient.from(1).get(wharf.url(), "/v2/")));
            }
        }
    }

    private static List<String> run(URI server, List<Probe> corpus) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < corpus.size(); i++) {
                Probe probe = corpus.get(i);
                LocalClient client = LocalClient.from(1 + i % 8);
                results.add(pool.submit(() -> check(probe, send(client, server, probe.raw()))));
            }
            List<String> problems = new ArrayList<>();
            for (Future<String> result : results) {
                String problem = result.get();
                if (problem != null) {
                    problems.add(problem);
                }
            }
            return problems;
        } finally {
            pool.shutdownNow();
        }
    }

    private static String send(LocalClient client, URI server, String raw) throws IOException {
        try (Socket socket = client.connect(server)) {
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            } catch (IOException refusedEarly) {
                // The server may answer and close before it read everything: the answer is what counts.
            }
            return LocalClient.readToEnd(socket.getInputStream());
        } catch (IOException e) {
            return "FAILED " + e;
        }
    }

    /** Null when the answer is acceptable, else what is wrong with it. */
    private static String check(Probe probe, String answer) {
        int status = LocalClient.status(answer);
        String what =
                probe.kind() + " " + printable(probe.raw().lines().findFirst().orElse("")) + " -> ";
        if (status < 0) {
            return what + "no status line: " + printable(answer.length() > 80 ? answer.substring(0, 80) : answer);
        }
        if (status >= 500) {
            return what + status + " " + printable(answer);
        }
        boolean head = probe.raw().startsWith("HEAD ");
        if (status >= 400 && !head && !answer.contains("{\"errors\":[{\"code\":\"")) {
            return what + status + " without an OCI error body: " + printable(answer);
        }
        return null;
    }

    private static String printable(String s) {
        return s.replaceAll("[^ -~]", "?");
    }

    // ---- the corpus ----

    static List<Probe> corpus(String cachedBlob) {
        List<Probe> out = new ArrayList<>();
        List<String> names = badNames();
        for (String form : List.of("root", "prefix", "ns")) {
            for (String name : names) {
                for (String route : List.of("/manifests/latest", "/blobs/" + DIGEST, "/tags/list")) {
                    for (String method : METHODS) {
                        out.add(request("name", method, path(form, name + route), List.of()));
                    }
                }
            }
            for (String digest : badDigests()) {
                for (String route : List.of("/manifests/", "/blobs/", "/referrers/")) {
                    for (String method : List.of("GET", "HEAD", "DELETE", "PUT")) {
                        out.add(request("digest", method, path(form, "library/alpine" + route + digest), List.of()));
                    }
                }
            }
            for (String tag : badTags()) {
                for (String method : List.of("GET", "HEAD", "PUT", "DELETE")) {
                    out.add(request("tag", method, path(form, "library/alpine/manifests/" + tag), List.of()));
                }
            }
            for (String route : validRoutes(cachedBlob)) {
                for (String method : WRITE_METHODS) {
                    out.add(request("method", method, path(form, route), List.of("Content-Length: 0")));
                }
            }
            for (String query : badPagination()) {
                for (String method : List.of("GET", "HEAD")) {
                    String p = path(form, "library/alpine/tags/list");
                    out.add(request("pagination", method, p + (p.contains("?") ? "&" : "?") + query, List.of()));
                }
            }
        }
        for (String range : ranges()) {
            for (String method : List.of("GET", "HEAD")) {
                out.add(request("range", method, "/v2/library/alpine/blobs/" + cachedBlob, List.of("Range: " + range)));
            }
        }
        for (String ns : internalNamespaces()) {
            for (String route : List.of(
                    "/v2/library/alpine/manifests/3.19",
                    "/v2/library/alpine/blobs/" + DIGEST,
                    "/v2/library/alpine/tags/list",
                    "/v2/x/manifests/" + DIGEST)) {
                for (String method : List.of("GET", "HEAD")) {
                    out.add(request("ns", method, route + "?ns=" + ns, List.of()));
                }
            }
        }
        out.addAll(framing());
        return out;
    }

    private static Probe request(String kind, String method, String target, List<String> headers) {
        StringBuilder raw = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: wharf\r\n");
        headers.forEach(h -> raw.append(h).append("\r\n"));
        return new Probe(kind, raw.append("Connection: close\r\n\r\n").toString());
    }

    private static String path(String form, String rest) {
        return switch (form) {
            case "root" -> "/v2/" + rest;
            case "prefix" -> "/v2/" + UP + "/" + rest;
            default -> "/v2/" + rest + (rest.contains("?") ? "&" : "?") + "ns=" + UP;
        };
    }

    private static List<String> badNames() {
        List<String> names = new ArrayList<>(List.of(
                "UPPER/case",
                "library/../etc",
                "..",
                "library/./x",
                "%2e%2e/etc",
                "a%2fb",
                "a%00b",
                "a\\b",
                "a//b",
                "/a",
                "a/",
                "-a",
                "a-",
                "a..b",
                "a__-b",
                "a___b",
                "_a",
                "a.",
                ".a",
                "a b",
                "a\tb",
                "a\u00e9b",
                "a\u0000b",
                "a?b",
                "a#b",
                "a;b",
                "a:b",
                "a@b",
                "a*b",
                "a|b",
                "a<b>",
                "a'b",
                "a\"b",
                "a%",
                "%41",
                "a%%2",
                "\u00ff\u00fe",
                "a/b/" + "c".repeat(300),
                "x".repeat(256),
                "a\u007fb"));
        return names;
    }

    private static List<String> badDigests() {
        return List.of(
                "sha256:" + "A".repeat(64),
                "sha256:" + "a".repeat(63),
                "sha256:" + "a".repeat(65),
                "sha256:",
                ":" + "a".repeat(64),
                "md5:" + "a".repeat(32),
                "sha512:" + "a".repeat(64),
                "sha384:" + "a".repeat(96),
                "sha256:" + "g".repeat(64),
                "sha256:../../../etc/passwd",
                "sha256:%2e%2e%2f" + "a".repeat(55),
                "SHA256:" + "a".repeat(64),
                "sha256+b64:abc",
                "sha256:" + "a".repeat(64) + "/x",
                "sha256:" + "a".repeat(64) + "%00",
                "sha256:" + "a".repeat(32) + "\u0000" + "a".repeat(31),
                "sha256:-" + "a".repeat(63),
                "sha256:" + "a".repeat(4096),
                "sha256:" + "a".repeat(64) + ";x",
                "%73ha256:" + "a".repeat(64));
    }

    private static List<String> badTags() {
        return List.of(
                "t".repeat(129),
                "-tag",
                ".tag",
                "tag!",
                "ta g",
                "tag/x",
                "tag%20",
                "tag\u00e9",
                "",
                "..",
                "tag:1",
                "tag@x",
                "%2e%2e",
                "tag\\x",
                "tag\u0000",
                "TAG~1",
                "tag$",
                "tag*",
                "tag{1}",
                "t".repeat(5000));
    }

    private static List<String> validRoutes(String blob) {
        return List.of(
                "library/alpine/manifests/3.19",
                "library/alpine/manifests/" + DIGEST,
                "library/alpine/blobs/" + blob,
                "library/alpine/blobs/uploads/",
                "library/alpine/blobs/uploads/abc-123",
                "library/alpine/tags/list",
                "library/alpine/referrers/" + DIGEST,
                "_catalog");
    }

    private static List<String> badPagination() {
        return List.of(
                "n=-1",
                "n=abc",
                "n=1e9",
                "n=0x10",
                "n=",
                "n=1&n=2",
                "n=%00",
                "n=-2147483649",
                "n=+5",
                "n= 5",
                "n=5.5",
                "last=-bad",
                "last=" + "t".repeat(200),
                "last=a%20b",
                "last=a&last=b",
                "last=..%2f",
                "n=1&last=%ff",
                "n=-9223372036854775808",
                "n=%zz",
                "ns=%",
                "last=%e9%");
    }

    private static List<String> ranges() {
        List<String> ranges = new ArrayList<>(List.of(
                "bytes=-0",
                "bytes=0-0",
                "bytes=-1",
                "bytes=5-1",
                "bytes=--1",
                "bytes=-",
                "bytes=",
                "bytes",
                "items=0-1",
                "bytes=99999999999999999999-",
                "bytes=9223372036854775807-",
                "bytes=0-9223372036854775807",
                "bytes=9223372036854775806-9223372036854775807",
                "bytes=-9223372036854775808",
                "bytes=1-2,3-4",
                "bytes=0-,0-",
                "bytes= 0-1",
                "bytes=0 -1",
                "bytes=0-1 ",
                "BYTES=0-1",
                "bytes=a-b",
                "bytes=1--2",
                "bytes=0x10-",
                "bytes=1e3-",
                "bytes=\u00ff-1",
                "bytes=0-1;x",
                "bytes=-100000000000000",
                "bytes=100000000-",
                "bytes=0-1\u0000"));
        StringBuilder many = new StringBuilder("bytes=");
        for (int i = 0; i < 500; i++) {
            many.append(i == 0 ? "" : ",").append(i).append('-').append(i);
        }
        ranges.add(many.toString());
        return ranges;
    }

    private static List<String> internalNamespaces() {
        return List.of(
                "127.0.0.1",
                "127.0.0.1:5000",
                "localhost",
                "localhost:5000",
                "169.254.169.254",
                "metadata.google.internal",
                "[::1]",
                "%5B::1%5D",
                "10.0.0.1:80",
                "192.168.0.1",
                "0.0.0.0",
                "0x7f000001",
                "2130706433",
                "up.test.evil",
                "UP.TEST.",
                "up.test%00",
                "up.test@evil",
                "",
                "up.test&ns=127.0.0.1",
                "file:///etc/passwd",
                "http://127.0.0.1:5000",
                "unix:/var/run/docker.sock");
    }

    /** Request-smuggling shapes, size limits and malformed request lines, each sent raw. */
    private static List<Probe> framing() {
        List<Probe> out = new ArrayList<>();
        String get = "GET /v2/ HTTP/1.1\r\nHost: wharf\r\n";
        List<String> shapes = List.of(
                get + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                get + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
                get + "Transfer-Encoding: gzip\r\n\r\n",
                get + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
                get + "Transfer-Encoding: chunked, gzip\r\n\r\n",
                get + "Transfer-Encoding: xchunked\r\n\r\n",
                get + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
                get + "Transfer-Encoding:\tchunked\r\n\r\n0\r\n\r\n",
                get + "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n",
                get + " Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                get + "X: y\r\n Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                get + "Content-Length: 1\r\nContent-Length: 2\r\n\r\nab",
                get + "Content-Length: 1, 2\r\n\r\nab",
                get + "Content-Length: -1\r\n\r\n",
                get + "Content-Length: abc\r\n\r\n",
                get + "Content-Length: 99999999999999999999\r\n\r\n",
                get + "Content-Length: +5\r\n\r\nabcde",
                get + "Content-Length: 0x5\r\n\r\nabcde",
                get + "Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\n",
                get + "Transfer-Encoding: chunked\r\n\r\n-1\r\n\r\n",
                get + "Transfer-Encoding: chunked\r\n\r\n5;ext=\"\r\n\r\nabcde\r\n0\r\n\r\n",
                get + "Transfer-Encoding: chunked\r\n\r\n0\r\nX-Trailer: evil\r\n\r\n",
                "GET /v2/ HTTP/1.1\nHost: wharf\n\n",
                "GET /v2/ HTTP/1.1\rHost: wharf\r\r",
                "GET /v2/ HTTP/1.1\r\nHost: wharf\r\nBad Header: x\r\n\r\n",
                "GET /v2/ HTTP/1.1\r\nHost: wharf\r\nNoColon\r\n\r\n",
                "GET /v2/ HTTP/1.1\r\nHost: wharf\r\n: empty-name\r\n\r\n",
                "GET /v2/ HTTP/1.1\r\nHost: wharf\r\nX-Null: a\u0000b\r\n\r\n",
                "GET /v2/ HTTP/1.1\r\nHost: wharf\r\nX-Ctl: a\u0001b\r\n\r\n",
                "GET /v2/ HTTP/1.1\r\nHost: wharf\r\nX-High: \u00ff\u00fe\r\n\r\n",
                "GET\t/v2/\tHTTP/1.1\r\nHost: wharf\r\n\r\n",
                "GET  /v2/  HTTP/1.1\r\nHost: wharf\r\n\r\n",
                "GET /v2/ HTTP/1.1 \r\nHost: wharf\r\n\r\n",
                " GET /v2/ HTTP/1.1\r\nHost: wharf\r\n\r\n",
                "GET http://evil.example/v2/ HTTP/1.1\r\nHost: wharf\r\n\r\n",
                "GET http://127.0.0.1:1/v2/library/alpine/manifests/3.19 HTTP/1.1\r\nHost: wharf\r\n\r\n",
                "GET * HTTP/1.1\r\nHost: wharf\r\n\r\n",
                "OPTIONS * HTTP/1.1\r\nHost: wharf\r\n\r\n",
                "CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n",
                "GET v2/ HTTP/1.1\r\nHost: wharf\r\n\r\n",
                "GET /v2/ HTTP/1.1\r\nHost: wharf\r\nHost: evil\r\n\r\n",
                "GET /v2/ HTTP/1.1\r\nHost: \r\n\r\n",
                "GET /v2/library/alpine/manifests/3.19 HTTP/1.1\r\nHost: 127.0.0.1:1\r\nX-Forwarded-Host: evil\r\n"
                        + "Connection: close\r\nX-Original-URL: /v2/../../\r\n\r\n".replace("3.19", "x;"),
                "GET /v2/ HTTP/1.1\r\nHost: wharf\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n",
                "GET /v2/ HTTP/1.1\r\nHost: wharf\r\nUpgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                        + "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n",
                "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
                "GET /v2/ HTTP/1.1\r\nHost: wharf\r\nContent-Length: 4\r\n\r\nGET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /v2/ HTTP/1.1\r\nHost: wharf\r\nConnection: keep-alive\r\n\r\nGARBAGE\r\n\r\n",
                "GET /v2/ HTTP/1.1\r\nHost: wharf\r\n\r\n" + "GET /v2/ HTTP/1.1\r\nHost: wharf\r\n\r\n".repeat(40),
                "\r\n\r\n\r\nGET /v2/ HTTP/1.1\r\nHost: wharf\r\n\r\n",
                "\u0016\u0003\u0001\u0000\u00a5\u0001\u0000\u0000\u00a1\u0003\u0003",
                "SSH-2.0-OpenSSH_9.6\r\n",
                "GET /v2/" + "a".repeat(9000) + " HTTP/1.1\r\nHost: wharf\r\n\r\n",
                "GET /v2/ HTTP/1.1\r\nHost: wharf\r\nX-Big: " + "b".repeat(17_000) + "\r\n\r\n",
                "GET /v2/ HTTP/1.1\r\nHost: wharf\r\n" + "X-Many: m\r\n".repeat(2_000) + "\r\n",
                "GET /v2/ HTTP/1.1\r\nHost: wharf\r\nCookie: " + "c=1; ".repeat(3_000) + "\r\n\r\n",
                "GET /v2/?" + "q=1&".repeat(2_000) + " HTTP/1.1\r\nHost: wharf\r\n\r\n",
                "GET /v2/library/alpine/tags/list?n=1&n=1&n=1 HTTP/1.1\r\nHost: wharf\r\n\r\n",
                "get /v2/ HTTP/1.1\r\nHost: wharf\r\n\r\n",
                "GET /v2/ http/1.1\r\nHost: wharf\r\n\r\n",
                "GET /v2/ HTTP/1.1\r\nHost: wharf\r\nAuthorization: Basic " + "A".repeat(12_000) + "\r\n\r\n");
        for (String shape : shapes) {
            out.add(new Probe(
                    "framing",
                    shape.endsWith("\r\n\r\n") && !shape.contains("Connection:")
                            ? shape.substring(0, shape.length() - 2) + "Connection: close\r\n\r\n"
                            : shape));
        }
        return out;
    }
}
