package dev.wharf.proxy.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Google's OAuth2 token endpoint on a loopback port, for service-account keys: a POST with {@code grant_type}
 * {@code urn:ietf:params:oauth:grant-type:jwt-bearer} whose {@code assertion} is a JWT signed RS256 by one of the keys
 * made here (checked with its public half) for Google's token URL as audience gets the configured access token; anything else gets {@code 400
 * invalid_grant}. Which key signed each accepted grant, and the scope it asked for, are kept.
 */
public final class GoogleTokenEndpoint implements AutoCloseable {
    public static final String JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    /** The audience Google's library signs its assertions for, whatever the key's token_uri (as Google checks). */
    public static final String AUDIENCE = "https://oauth2.googleapis.com/token";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final Map<String, PublicKey> keys = new HashMap<>();
    private final List<String> signers = new ArrayList<>();
    private final List<String> scopes = new ArrayList<>();
    private final List<String> refused = new ArrayList<>();
    private String token;
    private Duration lifetime;

    private GoogleTokenEndpoint(String token, Duration lifetime) throws IOException {
        this.token = token;
        this.lifetime = lifetime;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/token", this::handle);
        server.start();
    }

    /** An endpoint answering {@code token}, valid for {@code lifetime}. */
    public static GoogleTokenEndpoint start(String token, Duration lifetime) {
        try {
            return new GoogleTokenEndpoint(token, lifetime);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public URI tokenUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/token");
    }

    /** From now on, grants get {@code token}, valid for {@code lifetime}. */
    public synchronized void answer(String token, Duration lifetime) {
        this.token = token;
        this.lifetime = lifetime;
    }

    /**
     * A new RSA key whose grants are accepted, as the JSON key file of service account {@code email} (key id {@code
     * keyId}) with this endpoint as its {@code token_uri}.
     */
    public synchronized String newServiceAccountKey(String email, String keyId) {
        KeyPair pair;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            pair = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        keys.put(keyId, pair.getPublic());
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        ObjectNode key = JSON.createObjectNode()
                .put("type", "service_account")
                .put("project_id", "wharf-lab")
                .put("private_key_id", keyId)
                .put("private_key", pem)
                .put("client_email", email)
                .put("client_id", "1234567890")
                .put("token_uri", tokenUri().toString());
        return key.toString();
    }

    /** The key id that signed each accepted grant, in order. */
    public synchronized List<String> signers() {
        return List.copyOf(signers);
    }

    /** For each refused request: its content type and encoding and the form fields it had. */
    public synchronized List<String> refused() {
        return List.copyOf(refused);
    }

    /** The scope each accepted grant asked for. */
    public synchronized List<String> scopes() {
        return List.copyOf(scopes);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> form =
                    form(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            String answer;
            synchronized (this) {
                String signer = JWT_BEARER.equals(form.get("grant_type")) ? verify(form.get("assertion")) : null;
                if (signer == null) {
                    refused.add(exchange.getRequestHeaders().getFirst("Content-Type") + " "
                            + exchange.getRequestHeaders().getFirst("Content-Encoding") + " " + form.keySet() + " "
                            + claimsOf(form.get("assertion")));
                    send(exchange, 400, "{\"error\":\"invalid_grant\",\"error_description\":\"bad assertion\"}");
                    return;
                }
                signers.add(signer);
                answer = JSON.createObjectNode()
                        .put("access_token", token)
                        .put("expires_in", lifetime.toSeconds())
                        .put("token_type", "Bearer")
                        .toString();
            }
            send(exchange, 200, answer);
        }
    }

    /** The id of the key whose public half verifies {@code jwt} (RS256, audience Google's token URL), or null. */
    private String verify(String jwt) {
        if (jwt == null) {
            return null;
        }
        String[] parts = jwt.split("\\.");
        if (parts.length != 3) {
            return null;
        }
        try {
            Base64.Decoder b64 = Base64.getUrlDecoder();
            JsonNode header = JSON.readTree(b64.decode(parts[0]));
            JsonNode claims = JSON.readTree(b64.decode(parts[1]));
            if (!header.path("alg").asText().equals("RS256")
                    || !claims.path("aud").asText().equals(AUDIENCE)) {
                return null;
            }
            for (Map.Entry<String, PublicKey> key : keys.entrySet()) {
                Signature rs256 = Signature.getInstance("SHA256withRSA");
                rs256.initVerify(key.getValue());
                rs256.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
                if (rs256.verify(b64.decode(parts[2]))) {
                    scopes.add(claims.path("scope").asText());
                    return key.getKey();
                }
            }
            return null;
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            return null;
        }
    }

    private static String claimsOf(String jwt) {
        try {
            String[] parts = jwt.split("\\.");
            Base64.Decoder b64 = Base64.getUrlDecoder();
            return new String(b64.decode(parts[0]), StandardCharsets.UTF_8) + " aud="
                    + JSON.readTree(b64.decode(parts[1])).path("aud");
        } catch (IOException | RuntimeException e) {
            return "not a JWT";
        }
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(
                        URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
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
