package dev.wharf.proxy.upstream;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A login issued with an expiry (an ECR authorization token, a Google access token), reused until shortly before it
 * expires: a tenth of its lifetime before it expires, but never more than 30 minutes before (a 12-hour ECR token is
 * replaced after 11.5 hours, a 1-hour Google token after 54 minutes). A refresh that fails while the
 * old login is still valid keeps the old one (and logs); once it has expired the request fails. Calls are serialized,
 * so concurrent requests issue one token; each issue is bounded by the issuer's own timeout.
 */
final class RefreshingCredentials implements CredentialSource {
    private static final Logger LOG = LoggerFactory.getLogger(RefreshingCredentials.class);
    private static final Duration MAX_AHEAD = Duration.ofMinutes(30);

    /** Issues logins; throws {@link UpstreamException} ({@code CREDENTIALS}) without a secret when it cannot. */
    interface Issuer {
        Issued issue();

        /**
         * What the issuer issues from now (a key file's content, say): a login issued under another generation is not
         * reused. Throws like {@link #issue()}.
         */
        default Object generation() {
            return "";
        }

        /** For logs: {@code ecr us-east-1}. */
        String describe();
    }

    /** A login and when it expires. */
    record Issued(Login login, Instant expiresAt) {
        Issued {
            Objects.requireNonNull(login, "login");
            Objects.requireNonNull(expiresAt, "expiresAt");
        }
    }

    private final Issuer issuer;
    private final Clock clock;
    private Issued cached;
    private Object cachedGeneration;
    private Instant refreshAt = Instant.MIN;

    RefreshingCredentials(Issuer issuer, Clock clock) {
        this.issuer = issuer;
        this.clock = clock;
    }

    @Override
    public synchronized Optional<Login> current() {
        Object generation = issuer.generation();
        Instant now = clock.instant();
        boolean same = cached != null && generation.equals(cachedGeneration);
        if (same && now.isBefore(refreshAt)) {
            return Optional.of(cached.login());
        }
        Issued fresh;
        try {
            fresh = issuer.issue();
        } catch (UpstreamException e) {
            if (same && now.isBefore(cached.expiresAt())) {
                LOG.warn("{}; the current token is used until it expires", e.getMessage());
                return Optional.of(cached.login());
            }
            throw e;
        }
        cached = fresh;
        cachedGeneration = generation;
        refreshAt = refreshAt(now, fresh.expiresAt());
        return Optional.of(fresh.login());
    }

    /** When a login issued at {@code issued} and expiring at {@code expires} is replaced. */
    static Instant refreshAt(Instant issued, Instant expires) {
        Duration lifetime = Duration.between(issued, expires);
        if (lifetime.isNegative()) {
            return issued;
        }
        Duration tenth = lifetime.dividedBy(10);
        return expires.minus(tenth.compareTo(MAX_AHEAD) < 0 ? tenth : MAX_AHEAD);
    }

    @Override
    public String describe() {
        return issuer.describe();
    }

    /** The next call issues a new login; until then, and if issuing fails, the current one stays in use. */
    @Override
    public synchronized void refresh() {
        refreshAt = Instant.MIN;
    }
}
