package dev.wharf.proxy.http;

import static io.netty.handler.codec.http.HttpResponseStatus.BAD_GATEWAY;
import static io.netty.handler.codec.http.HttpResponseStatus.FORBIDDEN;
import static io.netty.handler.codec.http.HttpResponseStatus.GATEWAY_TIMEOUT;
import static io.netty.handler.codec.http.HttpResponseStatus.INTERNAL_SERVER_ERROR;
import static io.netty.handler.codec.http.HttpResponseStatus.NOT_FOUND;
import static io.netty.handler.codec.http.HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE;
import static io.netty.handler.codec.http.HttpResponseStatus.SERVICE_UNAVAILABLE;
import static io.netty.handler.codec.http.HttpResponseStatus.TOO_MANY_REQUESTS;

import dev.wharf.proxy.pull.Target;
import dev.wharf.proxy.security.Refusal;
import dev.wharf.proxy.upstream.FailureCause;
import dev.wharf.proxy.upstream.UpstreamException;
import dev.wharf.storage.StorageException;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where any failure becomes an OCI error: status, code and a message that names the upstream but
 * never its URL or credentials. Each failure is logged here once.
 */
final class ErrorMapper {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);

    /** An error answer. */
    record OciError(HttpResponseStatus status, String code, String message, Optional<Duration> retryAfter) {
        OciError(HttpResponseStatus status, String code, String message) {
            this(status, code, message, Optional.empty());
        }
    }

    private ErrorMapper() {}

    /** {@code failure} without the completion wrappers around it. */
    static Throwable cause(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** The answer for {@code failure} on {@code route} (null when routing itself failed). */
    static OciError map(Throwable failure, Route route) {
        Throwable cause = cause(failure);
        if (cause instanceof RequestException e) {
            return new OciError(e.status(), e.code(), e.getMessage());
        }
        if (cause instanceof Refusal e) {
            return new OciError(
                    HttpResponseStatus.valueOf(e.kind().status()), e.kind().code(), e.getMessage());
        }
        if (cause instanceof ByteRange.Unsatisfiable) {
            return new OciError(REQUESTED_RANGE_NOT_SATISFIABLE, "BLOB_UNKNOWN", "requested range not satisfiable");
        }
        if (cause instanceof UpstreamException e) {
            return upstream(e, route);
        }
        String where = upstreamName(route);
        if (cause instanceof StorageException e && e.kind() == StorageException.Kind.CORRUPT) {
            LOG.warn("upstream {} sent content that failed verification: {}", where, e.getMessage());
            return new OciError(
                    BAD_GATEWAY,
                    "DIGEST_INVALID",
                    "upstream " + where + " sent content that does not" + " match its digest");
        }
        if (cause instanceof StorageException e && e.kind() == StorageException.Kind.UNAVAILABLE) {
            LOG.warn("storage unavailable serving {}: {}", route, e.getMessage());
            return new OciError(SERVICE_UNAVAILABLE, "UNAVAILABLE", "storage unavailable: " + e.getMessage());
        }
        if (cause instanceof StorageException e) {
            LOG.error("local storage failed serving {}", route, e);
            return new OciError(INTERNAL_SERVER_ERROR, "UNKNOWN", "local storage failed");
        }
        if (cause instanceof CancellationException) {
            // Work is cancelled only for a client that has gone; this answer is rarely seen by anyone.
            LOG.debug("request cancelled: {}", route);
            return new OciError(SERVICE_UNAVAILABLE, "UNAVAILABLE", "request cancelled");
        }
        if (cause instanceof UncheckedIOException e) {
            LOG.warn("upstream {} failed mid-transfer: {}", where, e.getMessage());
            return new OciError(BAD_GATEWAY, "UNAVAILABLE", "upstream " + where + " failed during the transfer");
        }
        LOG.error("internal error serving {}", route, cause);
        return new OciError(INTERNAL_SERVER_ERROR, "UNKNOWN", "internal error");
    }

    private static OciError upstream(UpstreamException e, Route route) {
        String where = upstreamName(route);
        return switch (e.kind()) {
            case NOT_FOUND -> new OciError(NOT_FOUND, notFoundCode(route), notFoundMessage(route));
            case UNAUTHORIZED, DENIED -> {
                LOG.warn("upstream {} refused access: {}", where, e.getMessage());
                yield new OciError(FORBIDDEN, "DENIED", "upstream " + where + " refused access");
            }
            case CREDENTIALS -> {
                // The log names the credential source; the client only learns that this is Wharf's problem, not theirs.
                LOG.warn("{}", e.getMessage());
                yield new OciError(
                        BAD_GATEWAY,
                        "DENIED",
                        e.status() == 0
                                ? "Wharf could not obtain its credentials for upstream " + where
                                : "upstream " + where + " refused Wharf's credentials");
            }
            case RATE_LIMITED ->
                new OciError(
                        TOO_MANY_REQUESTS,
                        "TOOMANYREQUESTS",
                        "upstream " + where + " is rate limiting",
                        e.retryAfter());
            case UNAVAILABLE -> {
                LOG.warn("upstream {} unavailable: {}", where, e.getMessage());
                yield e.timedOut()
                        ? new OciError(GATEWAY_TIMEOUT, "UNAVAILABLE", "upstream " + where + " timed out")
                        : new OciError(BAD_GATEWAY, "UNAVAILABLE", "upstream " + where + " is unavailable" + why(e));
            }
            case TOO_LARGE -> {
                LOG.warn("upstream {} sent too much: {}", where, e.getMessage());
                yield tooLarge(where, route);
            }
            case PROTOCOL -> {
                LOG.warn("upstream {} broke the protocol: {}", where, e.getMessage());
                yield e.isDigestMismatch()
                        ? new OciError(
                                BAD_GATEWAY,
                                "DIGEST_INVALID",
                                "upstream " + where + " sent content that does not match its digest")
                        : new OciError(
                                BAD_GATEWAY, "UNAVAILABLE", "upstream " + where + " broke the registry protocol");
            }
        };
    }

    /** Why an upstream is unavailable, for the error detail: its HTTP status, or what failed in reaching it. */
    private static String why(UpstreamException e) {
        if (e.status() > 0) {
            return ": it answered " + e.status();
        }
        return e.getCause() == null ? "" : ": " + FailureCause.of(e.getCause());
    }

    /** What was too large follows from the route: only a manifest route reads a manifest, only tags a tag list. */
    private static OciError tooLarge(String where, Route route) {
        if (route instanceof Route.Tags) {
            return new OciError(
                    BAD_GATEWAY, "UNAVAILABLE", "upstream " + where + " sent a tag list longer than Wharf accepts");
        }
        if (route instanceof Route.Manifest) {
            return new OciError(BAD_GATEWAY, "MANIFEST_INVALID", "upstream " + where + " sent a manifest over 4 MiB");
        }
        if (route instanceof Route.Referrers) {
            return new OciError(
                    BAD_GATEWAY, "MANIFEST_INVALID", "upstream " + where + " sent a referrers index over 4 MiB");
        }
        return new OciError(BAD_GATEWAY, "UNAVAILABLE", "upstream " + where + " sent an answer over its size limit");
    }

    private static String notFoundCode(Route route) {
        if (route instanceof Route.Blob) {
            return "BLOB_UNKNOWN";
        }
        if (route instanceof Route.Manifest) {
            return "MANIFEST_UNKNOWN";
        }
        return "NAME_UNKNOWN";
    }

    private static String notFoundMessage(Route route) {
        if (route instanceof Route.Blob) {
            return "blob unknown to registry";
        }
        if (route instanceof Route.Manifest) {
            return "manifest unknown";
        }
        return "repository name not known to registry";
    }

    private static String upstreamName(Route route) {
        Target target = null;
        if (route instanceof Route.Manifest m) {
            target = m.target();
        } else if (route instanceof Route.Blob b) {
            target = b.target();
        } else if (route instanceof Route.Tags t) {
            target = t.target();
        } else if (route instanceof Route.Referrers r) {
            target = r.target();
        }
        return target == null ? "(none)" : target.upstream();
    }
}
