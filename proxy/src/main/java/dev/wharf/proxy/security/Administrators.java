package dev.wharf.proxy.security;

import dev.wharf.config.ClientAuth;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link AdminGate} when client authentication is on: the caller is authenticated by the registry API's own
 * {@link ClientAuthenticator} (same files, same check threads, same remembered headers), then must be one of {@code
 * auth.admins}. A failed login (wrong credentials, or a user who is not an administrator) is logged with the name it
 * claimed and its address, never the password or token, and counted in {@code
 * wharf_admin_login_failures_total{reason}}. A request without credentials is only challenged: that is how a browser
 * starts.
 */
final class Administrators implements AdminGate {
    static final String FAILURES = "wharf_admin_login_failures_total";
    private static final Logger LOG = LoggerFactory.getLogger(Administrators.class);
    private static final int NAME_LIMIT = 64;

    private final ClientAuthenticator authenticator;
    private final ClientAuth auth;
    private final Counter invalidCredentials;
    private final Counter notAdmin;

    Administrators(ClientAuthenticator authenticator, ClientAuth auth, MeterRegistry meters) {
        this.authenticator = authenticator;
        this.auth = auth;
        this.invalidCredentials = failures(meters, "invalid_credentials");
        this.notAdmin = failures(meters, "not_admin");
        if (auth.admins().isEmpty()) {
            LOG.warn("auth.admins is empty: the admin API and the status page answer 403 to everyone"
                    + " (/healthz, /readyz and /metrics stay open); list administrators in auth.admins");
        } else if (auth.htpasswd().isEmpty() && auth.tokens().isEmpty()) {
            LOG.warn("auth has only clientCertificates, which the admin listener (plain HTTP) cannot see: nobody can"
                    + " log in to the admin API; add auth.htpasswd or auth.tokens for the administrators");
        } else {
            LOG.info(
                    "admin API and status page: administrators {} only (/healthz, /readyz and /metrics open)",
                    String.join(", ", auth.admins()));
        }
    }

    private static Counter failures(MeterRegistry meters, String reason) {
        return Counter.builder(FAILURES)
                .description("Refused logins to the admin API and status page: wrong credentials, or a user who is"
                        + " not in auth.admins")
                .tag("reason", reason)
                .register(meters);
    }

    @Override
    public CompletableFuture<Void> admit(Caller caller, SocketAddress from) {
        return authenticator.authenticate(caller).handle((user, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                if (cause instanceof Refusal refusal
                        && refusal.kind() == Refusal.Kind.UNAUTHORIZED
                        && caller.authorization().isPresent()) {
                    invalidCredentials.increment();
                    LOG.warn("admin login failed: wrong credentials for {} from {}", claimed(caller), from);
                }
                throw cause instanceof RuntimeException r ? r : new CompletionException(cause);
            }
            if (!auth.isAdmin(user)) {
                notAdmin.increment();
                LOG.warn("admin login refused: {} from {} is not in auth.admins", printable(user), from);
                throw new Refusal(Refusal.Kind.DENIED, "not an administrator", List.of());
            }
            return null;
        });
    }

    /** The user a refused header claimed: a Basic user name (never what follows the colon), or the scheme. */
    private static String claimed(Caller caller) {
        String header = caller.authorization().orElse("");
        int space = header.indexOf(' ');
        String scheme = space < 0 ? header : header.substring(0, space);
        if (!scheme.toLowerCase(Locale.ROOT).equals("basic")) {
            return "a " + printable(scheme) + " credential";
        }
        try {
            String decoded = new String(
                    Base64.getDecoder().decode(header.substring(space + 1).strip()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? "a malformed Basic header" : "user " + printable(decoded.substring(0, colon));
        } catch (IllegalArgumentException e) {
            return "a malformed Basic header";
        }
    }

    /** {@code text} safe for one log line: control characters replaced, at most {@link #NAME_LIMIT} characters. */
    private static String printable(String text) {
        String cut = text.length() > NAME_LIMIT ? text.substring(0, NAME_LIMIT) + "..." : text;
        return "\"" + cut.replaceAll("[\\p{Cntrl}\"\\\\]", "?") + "\"";
    }
}
