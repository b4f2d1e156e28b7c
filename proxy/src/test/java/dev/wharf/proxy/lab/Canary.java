package dev.wharf.proxy.lab;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A scripted HTTP server that records every request it receives with its headers: as a hostile upstream it answers
 * what a test scripts (challenges, redirects); as a canary it shows whether anything, and any credential, reached it.
 */
public final class Canary implements AutoCloseable {
    /** One received request; header names are matched ignoring case. */
    public record Request(String method, String path, String query, Map<String, List<String>> headers) {
        public Optional<String> header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream())
                    .findFirst();
        }

        /** True when the request carries {@code Authorization}, a cookie, or {@code secret} anywhere. */
        public boolean carriesCredentials(String secret) {
            return header("Authorization").isPresent()
                    || header("Cookie").isPresent()
                    || String.valueOf(query).contains(secret)
                    || headers.toString().contains(secret);
        }
    }

    /**
     * What to answer: a status, headers and a body; {@code declaredLength} is the {@code Content-Length} sent (-1: the
     * body's own length), so that a lying upstream can announce bytes it never sends.
     */
    public record Answer(int status, Map<String, String> headers, byte[] body, long declaredLength) {
        public static Answer of(int status, Map<String, String> headers) {
            return new Answer(status, headers, new byte[0], -1);
        }

        public static Answer of(int status, Map<String, String> headers, byte[] body) {
            return new Answer(status, headers, body, -1);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final InetAddress address;
    private volatile Function<Request, Answer> script = r -> Answer.of(404, Map.of());

    private Canary(InetAddress address) {
        this.address = address;
        try {
            server = HttpServer.create(new InetSocketAddress(address, 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** A canary on 127.0.0.1 answering 404 until scripted. */
    public static Canary onLoopback() {
        return new Canary(InetAddress.getLoopbackAddress());
    }

    /** A canary on {@code address} (an address of this host) answering 404 until scripted. */
    public static Canary on(InetAddress address) {
        return new Canary(address);
    }

    /** Answers every later request with {@code script}'s answer. */
    public Canary answer(Function<Request, Answer> script) {
        this.script = script;
        return this;
    }

    /** {@code http://ADDRESS:PORT}. */
    public URI url() {
        String host = address.getHostAddress().contains(":")
                ? "[" + address.getHostAddress() + "]"
                : address.getHostAddress();
        return URI.create("http://" + host + ":" + server.getAddress().getPort());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** How many requests carried a credential: {@code Authorization}, a cookie, or {@code secret} anywhere. */
    public long credentialsReceived(String secret) {
        return requests.stream().filter(r -> r.carriesCredentials(secret)).count();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Request request = new Request(
                    exchange.getRequestMethod(),
                    exchange.getRequestURI().getRawPath(),
                    exchange.getRequestURI().getRawQuery(),
                    Map.copyOf(exchange.getRequestHeaders()));
            requests.add(request);
            Answer answer = script.apply(request);
            answer.headers()
                    .forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            long length = answer.declaredLength() >= 0 ? answer.declaredLength() : answer.body().length;
            boolean head = request.method().equals("HEAD");
            exchange.sendResponseHeaders(answer.status(), head || length == 0 ? -1 : length);
            if (!head && answer.body().length > 0) {
                exchange.getResponseBody().write(answer.body());
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
