package dev.wharf.proxy.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.wharf.config.ClientAuth;
import dev.wharf.proxy.upstream.WatchedFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Finds who a caller is: a Basic user checked against the htpasswd file (bcrypt), a bearer token compared in constant
 * time with the configured token files, or the subject CN of a client certificate the TLS handshake verified. A
 * header that is present decides (a wrong password is refused even with a valid certificate). Checks that read files
 * or hash run on {@code checks}; a success is remembered for a short while under the SHA-256 of the header, so a
 * client sending the same header on every request costs one bcrypt per {@link #REMEMBERED}, not one per request.
 */
final class ClientAuthenticator {
    /** How long a checked header is trusted without checking again: also how late a revoked password stops working. */
    static final Duration REMEMBERED = Duration.ofSeconds(30);

    private static final int TOKEN_LIMIT = 64 * 1024;

    private record TokenFile(String user, WatchedFile file) {}

    private final Optional<Htpasswd> htpasswd;
    private final List<TokenFile> tokens;
    private final boolean certificates;
    private final List<String> challenges;
    private final Executor checks;
    private final Cache<String, String> remembered = Caffeine.newBuilder()
            .expireAfterWrite(REMEMBERED)
            .maximumSize(10_000)
            .build();

    ClientAuthenticator(ClientAuth config, Executor checks) {
        this.htpasswd = config.htpasswd().map(path -> new Htpasswd(new WatchedFile(path, 4 * 1024 * 1024)));
        this.tokens = config.tokens().stream()
                .map(t -> new TokenFile(t.user(), new WatchedFile(t.file(), TOKEN_LIMIT)))
                .toList();
        this.certificates = config.clientCertificates();
        this.checks = checks;
        // Docker tries a Bearer challenge's realm as a token service: offer Bearer only when passwords are not an
        // option.
        this.challenges = List.of(
                (htpasswd.isPresent() || tokens.isEmpty() ? "Basic" : "Bearer") + " realm=\"" + config.realm() + "\"");
    }

    /** The challenges a 401 carries. */
    List<String> challenges() {
        return challenges;
    }

    /** The caller's user name; fails with {@link Refusal} ({@code UNAUTHORIZED} or {@code TOO_MANY_REQUESTS}). */
    CompletableFuture<String> authenticate(Caller caller) {
        if (caller.authorization().isEmpty()) {
            Optional<String> cn = certificates
                    ? caller.certificate().get().flatMap(ClientAuthenticator::commonName)
                    : Optional.empty();
            return cn.map(CompletableFuture::completedFuture)
                    .orElseGet(() -> CompletableFuture.failedFuture(unauthorized("authentication required")));
        }
        String header = caller.authorization().get();
        String key = sha256Hex(header);
        String known = remembered.getIfPresent(key);
        if (known != null) {
            return CompletableFuture.completedFuture(known);
        }
        CompletableFuture<String> answer = new CompletableFuture<>();
        try {
            checks.execute(() -> {
                Optional<String> user = check(header);
                user.ifPresent(u -> remembered.put(key, u));
                if (user.isPresent()) {
                    answer.complete(user.get());
                } else {
                    answer.completeExceptionally(unauthorized("invalid credentials"));
                }
            });
        } catch (RejectedExecutionException e) {
            answer.completeExceptionally(
                    new Refusal(Refusal.Kind.TOO_MANY_REQUESTS, "too many credential checks at once", List.of()));
        }
        return answer;
    }

    /** Runs on {@code checks}: the user {@code header} proves, or empty. */
    private Optional<String> check(String header) {
        int space = header.indexOf(' ');
        String scheme = space < 0 ? header : header.substring(0, space).toLowerCase(Locale.ROOT);
        String value = space < 0 ? "" : header.substring(space + 1).strip();
        if (scheme.equals("basic") && htpasswd.isPresent()) {
            return basic(value);
        }
        if (scheme.equals("bearer") && !tokens.isEmpty()) {
            return bearer(value);
        }
        return Optional.empty();
    }

    private Optional<String> basic(String value) {
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        char[] text;
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(decoded));
            text = Arrays.copyOf(chars.array(), chars.limit());
            Arrays.fill(chars.array(), '\0');
        } catch (CharacterCodingException e) {
            return Optional.empty();
        } finally {
            Arrays.fill(decoded, (byte) 0);
        }
        try {
            int colon = -1;
            for (int i = 0; i < text.length && colon < 0; i++) {
                colon = text[i] == ':' ? i : -1;
            }
            if (colon <= 0) {
                return Optional.empty();
            }
            String user = new String(text, 0, colon);
            char[] password = Arrays.copyOfRange(text, colon + 1, text.length);
            try {
                return htpasswd.get().check(user, password) ? Optional.of(user) : Optional.empty();
            } finally {
                Arrays.fill(password, '\0');
            }
        } finally {
            Arrays.fill(text, '\0');
        }
    }

    /** Every token is compared (by SHA-256, in constant time), so the time taken does not say which one matched. */
    private Optional<String> bearer(String value) {
        byte[] presented = sha256(value.getBytes(StandardCharsets.UTF_8));
        Optional<String> user = Optional.empty();
        for (TokenFile token : tokens) {
            byte[] content;
            try {
                content = token.file().read();
            } catch (IOException e) {
                continue;
            }
            String expected = new String(content, StandardCharsets.UTF_8).strip();
            if (!expected.isEmpty()
                    && MessageDigest.isEqual(presented, sha256(expected.getBytes(StandardCharsets.UTF_8)))
                    && user.isEmpty()) {
                user = Optional.of(token.user());
            }
        }
        return user;
    }

    private Refusal unauthorized(String message) {
        return new Refusal(Refusal.Kind.UNAUTHORIZED, message, challenges);
    }

    static Optional<String> commonName(X509Certificate certificate) {
        try {
            List<Rdn> rdns = new ArrayList<>(
                    new LdapName(certificate.getSubjectX500Principal().getName()).getRdns());
            for (int i = rdns.size() - 1; i >= 0; i--) {
                if (rdns.get(i).getType().equalsIgnoreCase("CN")) {
                    String cn = rdns.get(i).getValue().toString();
                    return cn.isBlank() ? Optional.empty() : Optional.of(cn);
                }
            }
        } catch (InvalidNameException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static String sha256Hex(String text) {
        return HexFormat.of().formatHex(sha256(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
