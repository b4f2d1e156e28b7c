package dev.wharf.proxy.lab;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.wharf.storage.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An upstream that answers every blob and manifest request with the same configured bytes, whatever was asked for,
 * under plausible headers: {@code Docker-Content-Digest} claims the requested digest (for a tag, the digest of
 * something else), {@code Content-Length} is the true length. A digest-verifying client must reject what it sends.
 */
public final class LyingUpstream implements AutoCloseable {
    private static final Pattern ROUTE = Pattern.compile("^/v2/(.+)/(blobs|manifests)/([^/]+)$");

    private final byte[] lie;
    private final HttpServer server;
    private final ExecutorService executor;
    private final List<AccessLogEntry> requests = new CopyOnWriteArrayList<>();

    /** Serves {@code lie} as every blob and manifest. */
    public LyingUpstream(byte[] lie) {
        this.lie = lie.clone();
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        executor = Executors.newFixedThreadPool(2);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Serves a fixed, recognisable lie. */
    public LyingUpstream() {
        this("{\"schemaVersion\":2,\"note\":\"these bytes match no digest anyone asks for\"}"
                .getBytes(StandardCharsets.UTF_8));
    }

    /** {@code http://127.0.0.1:PORT}. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The bytes served for everything. */
    public byte[] lie() {
        return lie.clone();
    }

    /** Every request received so far (status is what was answered; user is always {@code -}). */
    public List<AccessLogEntry> requests() {
        return List.copyOf(requests);
    }

    /** How many requests had {@code method} and a path (without query) matching {@code path}. */
    public int count(String method, Predicate<String> path) {
        return (int) requests.stream()
                .filter(e -> e.method().equals(method) && path.test(e.path()))
                .count();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            int status = answer(exchange, method, path);
            requests.add(new AccessLogEntry(
                    method,
                    exchange.getRequestURI().toString(),
                    status,
                    "-",
                    String.valueOf(exchange.getRequestHeaders().getFirst("User-Agent"))));
        }
    }

    private int answer(HttpExchange exchange, String method, String path) throws IOException {
        boolean head = method.equals("HEAD");
        exchange.getResponseHeaders().set("Docker-Distribution-API-Version", "registry/2.0");
        if (!method.equals("GET") && !head) {
            exchange.sendResponseHeaders(405, -1);
            return 405;
        }
        if (path.equals("/v2/") || path.equals("/v2")) {
            send(exchange, head, "application/json", "{}".getBytes(StandardCharsets.UTF_8));
            return 200;
        }
        Matcher route = ROUTE.matcher(path);
        if (!route.matches()) {
            exchange.sendResponseHeaders(404, -1);
            return 404;
        }
        String reference = route.group(3);
        String claimed = Digest.isDigest(reference)
                ? reference
                : Digest.sha256(("not the bytes below: " + reference).getBytes(StandardCharsets.UTF_8))
                        .toString();
        exchange.getResponseHeaders().set("Docker-Content-Digest", claimed);
        exchange.getResponseHeaders().set("ETag", "\"" + claimed + "\"");
        if (route.group(2).equals("blobs")) {
            exchange.getResponseHeaders().set("Accept-Ranges", "bytes");
            send(exchange, head, "application/octet-stream", lie);
        } else {
            send(exchange, head, MediaTypes.DOCKER_MANIFEST, lie);
        }
        return 200;
    }

    private static void send(HttpExchange exchange, boolean head, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        if (head) {
            exchange.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
            exchange.sendResponseHeaders(200, -1);
            return;
        }
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
    }
}
