package dev.wharf.proxy.upstream;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A failed upstream call. The message names the upstream and at most a path or a host: never a credential, token,
 * {@code Authorization} value or a URL with its query.
 */
public final class UpstreamException extends RuntimeException {
    /** What went wrong, as a caller decides on it. */
    public enum Kind {
        /** 404. */
        NOT_FOUND,
        /** 401 after every available way to authenticate was tried. */
        UNAUTHORIZED,
        /** 403. */
        DENIED,
        /**
         * Wharf's own credentials for the upstream failed: the upstream (or its token service) refused the login Wharf
         * sent, even after the login was refreshed once, or the credential source could not give one.
         */
        CREDENTIALS,
        /** 429; see {@link #retryAfter()}. */
        RATE_LIMITED,
        /** Connection refused or reset, timeout (see {@link UpstreamException#timedOut()}), 5xx. */
        UNAVAILABLE,
        /** A body over its cap. */
        TOO_LARGE,
        /**
         * The upstream broke the protocol or our rules: bad redirect, refused realm, malformed answer, or bytes that
         * do not match their digest (see {@link UpstreamException#isDigestMismatch()}).
         */
        PROTOCOL
    }

    private final Kind kind;
    private final int status;
    private final transient Optional<Duration> retryAfter;
    private final boolean timedOut;
    private final boolean digestMismatch;

    UpstreamException(Kind kind, int status, Optional<Duration> retryAfter, String message, Throwable cause) {
        this(kind, status, retryAfter, message, cause, false, false);
    }

    private UpstreamException(
            Kind kind,
            int status,
            Optional<Duration> retryAfter,
            String message,
            Throwable cause,
            boolean timedOut,
            boolean digestMismatch) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.status = status;
        this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
        this.timedOut = timedOut;
        this.digestMismatch = digestMismatch;
    }

    UpstreamException(Kind kind, int status, String message) {
        this(kind, status, Optional.empty(), message, null);
    }

    UpstreamException(Kind kind, String message) {
        this(kind, 0, Optional.empty(), message, null);
    }

    /** An {@link Kind#UNAVAILABLE} failure because the upstream did not connect or stayed silent for too long. */
    static UpstreamException timeout(int status, String message, Throwable cause) {
        return new UpstreamException(Kind.UNAVAILABLE, status, Optional.empty(), message, cause, true, false);
    }

    /**
     * A {@link Kind#PROTOCOL} failure because upstream {@code upstream} sent bytes that do not match their digest, for
     * pull code that verified them. The message reads {@code upstream <upstream>: <what> does not match <against>},
     * e.g. {@code digestMismatch("docker.io", "manifest", "its Docker-Content-Digest")}; neither part may hold a
     * secret. {@link #isDigestMismatch()} is then true.
     */
    /** The upstream does not have {@code what} where it was asked for (as a 404 would say). */
    public static UpstreamException notFound(String upstream, String what) {
        return new UpstreamException(Kind.NOT_FOUND, 404, "upstream " + upstream + " has no " + what);
    }

    public static UpstreamException digestMismatch(String upstream, String what, String against) {
        return new UpstreamException(
                Kind.PROTOCOL,
                200,
                Optional.empty(),
                "upstream " + upstream + ": " + what + " does not match " + against,
                null,
                false,
                true);
    }

    /**
     * A {@link Kind#PROTOCOL} failure found by pull code in what an upstream sent; {@code message} names the upstream
     * and holds no secret.
     */
    public static UpstreamException protocol(String message) {
        return new UpstreamException(Kind.PROTOCOL, message);
    }

    /** What went wrong. */
    public Kind kind() {
        return kind;
    }

    /** How long the upstream asked us to wait (capped at one hour); present only for some 429 answers. */
    public Optional<Duration> retryAfter() {
        return retryAfter;
    }

    /**
     * True when the upstream did not answer in time: no connection within the connect timeout, or no response headers
     * or a body that made no progress within the request's timeout (the read timeout for blobs, the manifest timeout
     * for manifests, tag lists and tokens). The kind is then {@link Kind#UNAVAILABLE}.
     */
    public boolean timedOut() {
        return timedOut;
    }

    /** True when the upstream's bytes did not match their digest; the kind is then {@link Kind#PROTOCOL}. */
    public boolean isDigestMismatch() {
        return digestMismatch;
    }

    /** The HTTP status that caused this, or 0 when there was no answer. */
    public int status() {
        return status;
    }
}
