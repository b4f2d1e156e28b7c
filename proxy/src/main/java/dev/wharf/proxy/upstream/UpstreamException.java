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
        /** 429; see {@link #retryAfter()}. */
        RATE_LIMITED,
        /** Connection refused or reset, timeout (see {@link UpstreamException#timedOut()}), 5xx. */
        UNAVAILABLE,
        /** A body over its cap. */
        TOO_LARGE,
        /** The upstream broke the protocol or our rules: bad redirect, refused realm, malformed answer. */
        PROTOCOL
    }

    private final Kind kind;
    private final int status;
    private final transient Optional<Duration> retryAfter;
    private final boolean timedOut;

    UpstreamException(Kind kind, int status, Optional<Duration> retryAfter, String message, Throwable cause) {
        this(kind, status, retryAfter, message, cause, false);
    }

    private UpstreamException(
            Kind kind, int status, Optional<Duration> retryAfter, String message, Throwable cause, boolean timedOut) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.status = status;
        this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
        this.timedOut = timedOut;
    }

    UpstreamException(Kind kind, int status, String message) {
        this(kind, status, Optional.empty(), message, null);
    }

    UpstreamException(Kind kind, String message) {
        this(kind, 0, Optional.empty(), message, null);
    }

    /** An {@link Kind#UNAVAILABLE} failure because the upstream did not connect or stayed silent for too long. */
    static UpstreamException timeout(int status, String message, Throwable cause) {
        return new UpstreamException(Kind.UNAVAILABLE, status, Optional.empty(), message, cause, true);
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

    /** The HTTP status that caused this, or 0 when there was no answer. */
    public int status() {
        return status;
    }
}
