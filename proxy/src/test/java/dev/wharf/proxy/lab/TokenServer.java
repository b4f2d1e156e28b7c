package dev.wharf.proxy.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A Docker-style token server (the realm a registry's {@code auth.token} points at) on a free 127.0.0.1 port. It
 * signs RS256 JWTs with a fresh RSA key whose self-signed certificate it writes to {@link #rootCertBundle()}, and
 * grants whatever {@code pull}/{@code push} a scope asks for, to anyone or only to one Basic-authenticated user, or
 * (see {@link #granting}) per caller only the repositories of its grant.
 */
public final class TokenServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final int EXPIRES_IN_SECONDS = 300;

    /** Who may pull which repositories: an empty {@code who} is anyone without credentials. */
    public record Grant(Optional<Credentials> who, Predicate<String> repositories) {}

    private final Optional<Credentials> required;
    /** When not empty, callers get only what a grant gives them; {@code required} then gets everything. */
    private final List<Grant> grants;

    private final KeyPair keys;
    private final X509Certificate certificate;
    private final Path dir;
    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicInteger tokenRequests = new AtomicInteger();

    /** A token server that issues tokens to anonymous callers. */
    public TokenServer() {
        this(Optional.empty());
    }

    /** A token server that issues tokens only to callers presenting these Basic credentials. */
    public TokenServer(String user, String password) {
        this(Optional.of(new Credentials(user, password)));
    }

    /**
     * A token server that grants {@code admin} everything and every other caller only the repositories of its grant:
     * a caller whose credentials match no grant, or without credentials when no grant is anonymous, is refused.
     */
    public static TokenServer granting(Credentials admin, List<Grant> grants) {
        return new TokenServer(Optional.of(admin), grants);
    }

    private TokenServer(Optional<Credentials> required) {
        this(required, List.of());
    }

    private TokenServer(Optional<Credentials> required, List<Grant> grants) {
        this.required = required;
        this.grants = List.copyOf(grants);
        this.keys = rsaKeyPair();
        this.certificate = SelfSignedCertificate.create(keys, "CN=wharf-lab-token-issuer");
        this.dir = TempDirs.create("wharf-tokens-");
        try {
            Files.writeString(rootCertBundle(), SelfSignedCertificate.pem(certificate), StandardCharsets.US_ASCII);
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            TempDirs.delete(dir);
            throw new UncheckedIOException(e);
        }
        executor = Executors.newFixedThreadPool(2);
        server.setExecutor(executor);
        server.createContext("/token", this::handle);
        server.start();
    }

    /** The realm URL a registry sends clients to: {@code http://127.0.0.1:PORT/token}. */
    public URI realm() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/token");
    }

    /** The service name tokens are issued for (their {@code aud}). */
    public String service() {
        return "test-registry";
    }

    /** The issuer name tokens carry (their {@code iss}). */
    public String issuer() {
        return "test-issuer";
    }

    /** The PEM file holding the signing certificate, for the registry's {@code rootcertbundle}. */
    public Path rootCertBundle() {
        return dir.resolve("root.pem");
    }

    /** The credentials a caller must present, or empty when tokens are given to anyone. */
    public Optional<Credentials> requiredCredentials() {
        return required;
    }

    /** How many requests reached {@code /token} so far, granted or not. */
    public int tokenRequests() {
        return tokenRequests.get();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        TempDirs.delete(dir);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            tokenRequests.incrementAndGet();
            if (!exchange.getRequestMethod().equals("GET")) {
                // containerd tries the OAuth2 POST flow first when it has credentials and falls back to GET on 405.
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            boolean admin = required.isPresent() && required.get().basicHeader().equals(authorization);
            Optional<Grant> grant = grants.stream()
                    .filter(g -> authorization == null
                            ? g.who().isEmpty()
                            : g.who()
                                    .map(Credentials::basicHeader)
                                    .filter(authorization::equals)
                                    .isPresent())
                    .findFirst();
            if (required.isPresent() && !admin && grant.isEmpty()) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"wharf-lab-token\"");
                respond(exchange, 401, Map.of("errors", List.of(Map.of("code", "UNAUTHORIZED"))));
                return;
            }
            Map<String, List<String>> query =
                    parseQuery(exchange.getRequestURI().getRawQuery());
            String service = query.getOrDefault("service", List.of(service())).get(0);
            String subject = admin
                    ? required.get().user()
                    : grant.flatMap(Grant::who).map(Credentials::user).orElse("anonymous");
            Predicate<String> repositories =
                    admin ? name -> true : grant.map(Grant::repositories).orElse(name -> true);
            String jwt = sign(service, subject, access(query.getOrDefault("scope", List.of()), repositories));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("token", jwt);
            body.put("access_token", jwt);
            body.put("expires_in", EXPIRES_IN_SECONDS);
            body.put("issued_at", Instant.now().toString());
            respond(exchange, 200, body);
        }
    }

    private static List<Map<String, Object>> access(List<String> scopes, Predicate<String> repositories) {
        List<Map<String, Object>> access = new ArrayList<>();
        for (String scope : scopes) {
            for (String one : scope.split(" ")) {
                int first = one.indexOf(':');
                int last = one.lastIndexOf(':');
                if (first < 0 || last == first) {
                    continue;
                }
                String type = one.substring(0, first);
                String name = one.substring(first + 1, last);
                List<String> actions = new ArrayList<>();
                for (String action : one.substring(last + 1).split(",")) {
                    boolean granted = type.equals("repository")
                            ? (action.equals("pull") || action.equals("push")) && repositories.test(name)
                            : type.equals("registry") && name.equals("catalog") && action.equals("*");
                    if (granted) {
                        actions.add(action);
                    }
                }
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("type", type);
                entry.put("name", name);
                entry.put("actions", actions);
                access.add(entry);
            }
        }
        return access;
    }

    private String sign(String audience, String subject, List<Map<String, Object>> access) {
        try {
            Map<String, Object> header = new LinkedHashMap<>();
            header.put("typ", "JWT");
            header.put("alg", "RS256");
            header.put("x5c", List.of(Base64.getEncoder().encodeToString(certificate.getEncoded())));
            long now = Instant.now().getEpochSecond();
            Map<String, Object> claims = new LinkedHashMap<>();
            claims.put("iss", issuer());
            claims.put("sub", subject);
            claims.put("aud", audience);
            claims.put("exp", now + EXPIRES_IN_SECONDS);
            claims.put("nbf", now - 10);
            claims.put("iat", now);
            claims.put("jti", UUID.randomUUID().toString());
            claims.put("access", access);
            String signingInput = B64URL.encodeToString(JSON.writeValueAsBytes(header)) + "."
                    + B64URL.encodeToString(JSON.writeValueAsBytes(claims));
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(keys.getPrivate());
            rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + B64URL.encodeToString(rsa.sign());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("could not sign token", e);
        }
    }

    private static Map<String, List<String>> parseQuery(String rawQuery) {
        Map<String, List<String>> query = new LinkedHashMap<>();
        if (rawQuery == null) {
            return query;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            query.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        return query;
    }

    private static void respond(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static KeyPair rsaKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
