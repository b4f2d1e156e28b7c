package dev.wharf.proxy.lab;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Amazon ECR's JSON API on a loopback port, as far as {@code GetAuthorizationToken} goes: a POST whose {@code
 * X-Amz-Target} is {@code AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken} gets the configured password
 * as a base64 {@code AWS:password} token expiring after the configured lifetime. Every call's {@code Authorization}
 * header is kept, so a test can see the SDK signed it.
 */
public final class FakeEcr implements AutoCloseable {
    public static final String TARGET = "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken";

    private final HttpServer server;
    private final List<String> authorizations = new ArrayList<>();
    private final List<String> bodies = new ArrayList<>();
    private String password;
    private Duration lifetime;
    private boolean refusing;

    private FakeEcr(String password, Duration lifetime) throws IOException {
        this.password = password;
        this.lifetime = lifetime;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    /** A fake answering {@code password} with tokens that expire {@code lifetime} after they are issued. */
    public static FakeEcr start(String password, Duration lifetime) {
        try {
            return new FakeEcr(password, lifetime);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** From now on, tokens carry {@code password} and live {@code lifetime}. */
    public synchronized void answer(String password, Duration lifetime) {
        this.password = password;
        this.lifetime = lifetime;
    }

    /** From now on, calls are refused with {@code 403 AccessDeniedException}. */
    public synchronized void refuse() {
        refusing = true;
    }

    /** How many GetAuthorizationToken calls were answered. */
    public synchronized int calls() {
        return authorizations.size();
    }

    /** The {@code Authorization} header of each call. */
    public synchronized List<String> authorizations() {
        return List.copyOf(authorizations);
    }

    /** The JSON body of each call. */
    public synchronized List<String> bodies() {
        return List.copyOf(bodies);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            if (!exchange.getRequestMethod().equals("POST") || !TARGET.equals(target)) {
                send(exchange, 400, "{\"__type\":\"UnknownOperationException\",\"message\":\"unknown\"}");
                return;
            }
            String json;
            synchronized (this) {
                if (refusing) {
                    send(exchange, 403, "{\"__type\":\"AccessDeniedException\",\"message\":\"denied\"}");
                    return;
                }
                String auth = exchange.getRequestHeaders().getFirst("Authorization");
                authorizations.add(auth == null ? "" : auth);
                bodies.add(body);
                String token = Base64.getEncoder().encodeToString(("AWS:" + password).getBytes(StandardCharsets.UTF_8));
                long expires = Instant.now().plus(lifetime).getEpochSecond();
                json = "{\"authorizationData\":[{\"authorizationToken\":\"" + token + "\",\"expiresAt\":" + expires
                        + ",\"proxyEndpoint\":\"https://123456789012.dkr.ecr.us-east-1.amazonaws.com\"}]}";
            }
            send(exchange, 200, json);
        }
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
