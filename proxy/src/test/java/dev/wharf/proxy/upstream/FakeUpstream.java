package dev.wharf.proxy.upstream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/** A scripted registry on 127.0.0.1 that records every request it receives. */
final class FakeUpstream implements AutoCloseable {
    /** One received request with its body as text; header names are matched case-insensitively. */
    record Request(String method, String path, String query, Map<String, List<String>> headers, String body) {
        Optional<String> header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream())
                    .findFirst();
        }
    }

    /** What to answer; {@code chunked} sends the body without Content-Length. */
    record Response(int status, Map<String, String> headers, byte[] body, boolean chunked) {
        static Response of(int status, Map<String, String> headers, byte[] body) {
            return new Response(status, headers, body, false);
        }

        static Response of(int status, Map<String, String> headers) {
            return new Response(status, headers, new byte[0], false);
        }

        static Response status(int status) {
            return of(status, Map.of());
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile Function<Request, Response> handler = r -> Response.status(404);

    private FakeUpstream() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    static FakeUpstream start() throws IOException {
        return new FakeUpstream();
    }

    void answer(Function<Request, Response> handler) {
        this.handler = handler;
    }

    /** {@code http://127.0.0.1:port}. */
    URI uri() {
        return uriAs("127.0.0.1");
    }

    /** The same server under another host name, which the client treats as another host. */
    URI uriAs(String host) {
        return URI.create("http://" + host + ":" + server.getAddress().getPort());
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    long count(String path) {
        return requests.stream().filter(r -> r.path().equals(path)).count();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Request request = new Request(
                    exchange.getRequestMethod(),
                    exchange.getRequestURI().getPath(),
                    exchange.getRequestURI().getRawQuery(),
                    Map.copyOf(exchange.getRequestHeaders()),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            requests.add(request);
            Response response = handler.apply(request);
            response.headers()
                    .forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            boolean head = request.method().equals("HEAD");
            long length = head || response.body().length == 0 ? -1 : response.chunked() ? 0 : response.body().length;
            exchange.sendResponseHeaders(response.status(), length);
            if (!head && response.body().length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(response.body());
                } catch (IOException clientWentAway) {
                    // The client may stop reading early on purpose (size caps); that is what tests check.
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
