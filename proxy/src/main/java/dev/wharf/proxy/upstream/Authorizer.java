package dev.wharf.proxy.upstream;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Decides the {@code Authorization} header for requests to one upstream. It remembers the last challenge the upstream
 * sent (Basic, or Bearer with its realm and service) so later requests authenticate up front with no 401 round trip,
 * and fetches and caches bearer tokens per scope. Thread-safe.
 */
final class Authorizer {
    static final int MAX_TOKEN_BODY = 1024 * 1024;

    private final UpstreamSettings settings;
    private final CredentialSource credentials;
    private final Transport transport;
    private final TokenCache tokens;
    private final AtomicReference<AuthChallenge> remembered = new AtomicReference<>();

    Authorizer(UpstreamSettings settings, CredentialSource credentials, Transport transport, TokenCache tokens) {
        this.settings = settings;
        this.credentials = credentials;
        this.transport = transport;
        this.tokens = tokens;
    }

    /** What to send before any challenge for this request: empty until the upstream has challenged once. */
    Optional<String> upFront(Optional<String> scope) {
        AuthChallenge challenge = remembered.get();
        if (challenge == null) {
            return Optional.empty();
        }
        Optional<Login> login = credentials.current();
        if (challenge.scheme().equals("basic")) {
            return basic(login);
        }
        if (login.isPresent() && login.get() instanceof Login.Bearer bearer) {
            return Optional.of("Bearer " + bearer.token());
        }
        return Optional.of("Bearer " + token(challenge, scope, login));
    }

    /**
     * After a 401 carrying {@code challenges}: the {@code Authorization} to retry with, or empty when there is
     * nothing new to try (the caller then reports {@code UNAUTHORIZED}). The challenge is remembered for later
     * requests only when it could be answered; a refused realm or a failed token request throws and leaves what was
     * remembered as it was.
     */
    Optional<String> afterChallenge(List<AuthChallenge> challenges, Optional<String> scope, Optional<String> sent) {
        AuthChallenge bearer = pick(challenges, "bearer");
        AuthChallenge chosen = bearer != null ? bearer : pick(challenges, "basic");
        if (chosen == null) {
            return Optional.empty();
        }
        Optional<String> next = answer(chosen, scope, sent);
        // Remembered only once accepted: a refused realm or a failed token request must not make later requests,
        // for any repository, fail up front without asking the upstream again.
        if (next.isPresent()) {
            remembered.set(withoutScope(chosen));
        }
        return next.equals(sent) ? Optional.empty() : next;
    }

    /** The {@code Authorization} that answers {@code chosen}; empty when there is none; throws when refused. */
    private Optional<String> answer(AuthChallenge chosen, Optional<String> scope, Optional<String> sent) {
        Optional<Login> login = credentials.current();
        if (chosen.scheme().equals("basic")) {
            return basic(login);
        }
        if (login.isPresent() && login.get() instanceof Login.Bearer bearer) {
            return Optional.of("Bearer " + bearer.token());
        }
        sent.filter(s -> s.startsWith("Bearer "))
                .ifPresent(s -> tokens.invalidate(tokenKey(chosen, scope, login), s.substring("Bearer ".length())));
        return Optional.of("Bearer " + token(chosen, scope, login));
    }

    /**
     * True when {@code exchange} is the upstream refusing (401, 403) a request sent with Wharf's login, or sent while
     * the credential source is failing; false for anonymous access and for answers from elsewhere (a redirect's
     * storage host).
     */
    boolean refuses(Exchange exchange) {
        if (!exchange.atUpstream() || (exchange.status() != 401 && exchange.status() != 403)) {
            return false;
        }
        try {
            return credentials.current().isPresent();
        } catch (UpstreamException e) {
            return true;
        }
    }

    /** The failure for an upstream that refused Wharf's login: {@code what} answered {@code status}. */
    UpstreamException refused(String what, int status) {
        return new UpstreamException(
                UpstreamException.Kind.CREDENTIALS,
                status,
                prefix() + "refused Wharf's credentials from " + credentials.describe() + " (" + what + " answered "
                        + status + ")");
    }

    /**
     * After the upstream refused the current login: asks the source for a fresh one. True when that gave another
     * login, worth one more request; false for anonymous access or the same login again. Throws like
     * {@link CredentialSource#current()} when the source now fails.
     */
    boolean refreshLogin() {
        Optional<Login> before;
        try {
            before = credentials.current();
        } catch (UpstreamException e) {
            before = Optional.empty();
        }
        if (before.isEmpty()) {
            return false;
        }
        credentials.refresh();
        Optional<Login> after = credentials.current();
        return !after.map(Authorizer::fingerprint).equals(before.map(Authorizer::fingerprint));
    }

    private static Optional<String> basic(Optional<Login> login) {
        if (login.isEmpty() || !(login.get() instanceof Login.Basic basic)) {
            return Optional.empty();
        }
        String pair = basic.username() + ":" + basic.password();
        return Optional.of("Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
    }

    private String token(AuthChallenge challenge, Optional<String> scope, Optional<Login> login) {
        // Tokens are cached per login too, so that a rotated password or token is used at once.
        String key = cacheKey(challenge, scope) + " "
                + login.map(Authorizer::fingerprint).orElse("");
        Optional<String> cached = tokens.find(key);
        if (cached.isPresent()) {
            return cached.get();
        }
        TokenResponse fresh = fetchToken(challenge, scope, login);
        tokens.put(key, fresh);
        return fresh.token();
    }

    /** Tokens are cached per login too, so that a rotated password or identity token is used at once. */
    private static String tokenKey(AuthChallenge challenge, Optional<String> scope, Optional<Login> login) {
        return cacheKey(challenge, scope) + " "
                + login.map(Authorizer::fingerprint).orElse("");
    }

    /** A short digest of a login, to key cached tokens by it without keeping the secret in a key. */
    private static String fingerprint(Login login) {
        String material;
        if (login instanceof Login.Basic b) {
            material = "basic:" + b.username() + ":" + b.password();
        } else if (login instanceof Login.IdentityToken t) {
            material = "identity:" + t.token();
        } else {
            material = "bearer:" + ((Login.Bearer) login).token();
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(material.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    private TokenResponse fetchToken(AuthChallenge challenge, Optional<String> scope, Optional<Login> login) {
        URI tokenUri = tokenUri(challenge, scope);
        Exchange exchange = login.isPresent() && login.get() instanceof Login.IdentityToken identity
                ? transport.postForm(
                        tokenUri(challenge, Optional.empty()),
                        refreshGrant(challenge, scope, identity),
                        settings.manifestTimeout())
                : transport.sendDirect(
                        "GET", tokenUri, basic(login), Optional.of("application/json"), settings.manifestTimeout());
        if (exchange.status() != 200) {
            exchange.discard();
            if (login.isPresent() && (exchange.status() == 401 || exchange.status() == 403)) {
                throw refused("token request to " + exchange.described(), exchange.status());
            }
            UpstreamException.Kind kind = switch (exchange.status()) {
                case 401, 403 -> UpstreamException.Kind.UNAUTHORIZED;
                case 429 -> UpstreamException.Kind.RATE_LIMITED;
                default ->
                    exchange.status() >= 500 ? UpstreamException.Kind.UNAVAILABLE : UpstreamException.Kind.PROTOCOL;
            };
            throw new UpstreamException(
                    kind,
                    exchange.status(),
                    RetryAfter.parse(exchange.headers().firstValue("Retry-After"), tokens.now()),
                    prefix() + "token request to " + exchange.described() + " answered " + exchange.status(),
                    null);
        }
        try {
            byte[] body = BoundedBody.readAtMost(exchange.body(), MAX_TOKEN_BODY);
            if (body.length > MAX_TOKEN_BODY) {
                throw new UpstreamException(
                        UpstreamException.Kind.TOO_LARGE, 200, prefix() + "token response over 1 MiB");
            }
            return TokenResponse.parse(body, tokens.now());
        } catch (IOException e) {
            throw new UpstreamException(
                    UpstreamException.Kind.UNAVAILABLE,
                    200,
                    Optional.empty(),
                    prefix() + "token response from " + exchange.described() + " broke off",
                    e);
        } catch (IllegalArgumentException e) {
            throw new UpstreamException(UpstreamException.Kind.PROTOCOL, 200, prefix() + e.getMessage());
        }
    }

    private URI tokenUri(AuthChallenge challenge, Optional<String> scope) {
        String realm = challenge
                .param("realm")
                .orElseThrow(() -> new UpstreamException(
                        UpstreamException.Kind.PROTOCOL, prefix() + "Bearer challenge without realm"));
        URI realmUri;
        try {
            realmUri = new URI(realm.trim());
        } catch (URISyntaxException e) {
            throw new UpstreamException(UpstreamException.Kind.PROTOCOL, prefix() + "Bearer realm is not a URI");
        }
        if (realmUri.getRawFragment() != null
                || !RealmPolicy.allows(realmUri, settings.baseUrl(), settings.authRealmHosts())) {
            String host = realmUri.getHost() == null ? "(none)" : realmUri.getHost();
            throw new UpstreamException(
                    UpstreamException.Kind.PROTOCOL, prefix() + "token realm on host " + host + " refused");
        }
        StringBuilder query = new StringBuilder(realmUri.getRawQuery() == null ? "" : realmUri.getRawQuery());
        challenge.param("service").ifPresent(service -> append(query, "service", service));
        scope.ifPresent(s -> append(query, "scope", s));
        String base = realm.trim();
        int q = base.indexOf('?');
        return URI.create((q < 0 ? base : base.substring(0, q)) + (query.length() == 0 ? "" : "?" + query));
    }

    /** The OAuth2 refresh-token grant Docker sends for an identity token (distribution's token spec, "oauth"). */
    private static String refreshGrant(AuthChallenge challenge, Optional<String> scope, Login.IdentityToken identity) {
        StringBuilder form = new StringBuilder();
        append(form, "grant_type", "refresh_token");
        append(form, "client_id", "wharf");
        challenge.param("service").ifPresent(service -> append(form, "service", service));
        scope.ifPresent(s -> append(form, "scope", s));
        append(form, "refresh_token", identity.token());
        return form.toString();
    }

    private static void append(StringBuilder query, String name, String value) {
        if (query.length() > 0) {
            query.append('&');
        }
        query.append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
    }

    private static AuthChallenge pick(List<AuthChallenge> challenges, String scheme) {
        return challenges.stream()
                .filter(c -> c.scheme().equals(scheme))
                .findFirst()
                .orElse(null);
    }

    /** The scope in a challenge is the upstream's to choose; we ask for our own, so it is not remembered. */
    private static AuthChallenge withoutScope(AuthChallenge challenge) {
        Map<String, String> params = new HashMap<>(challenge.params());
        params.remove("scope");
        return new AuthChallenge(challenge.scheme(), params);
    }

    private static String cacheKey(AuthChallenge challenge, Optional<String> scope) {
        return challenge.param("realm").orElse("") + " "
                + challenge.param("service").orElse("") + " " + scope.orElse("");
    }

    private String prefix() {
        return "upstream " + settings.name() + ": ";
    }
}
