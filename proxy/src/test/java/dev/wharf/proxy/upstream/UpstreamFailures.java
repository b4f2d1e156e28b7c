package dev.wharf.proxy.upstream;

/** Builds the failures a real client would throw, for fakes outside this package. */
public final class UpstreamFailures {
    private UpstreamFailures() {}

    /** A failure of {@code kind} with the status a registry would have answered. */
    public static UpstreamException of(UpstreamException.Kind kind) {
        int status = switch (kind) {
            case NOT_FOUND -> 404;
            case UNAUTHORIZED, CREDENTIALS -> 401;
            case DENIED -> 403;
            case RATE_LIMITED -> 429;
            case UNAVAILABLE -> 503;
            case TOO_LARGE, PROTOCOL -> 0;
        };
        return new UpstreamException(kind, status, "fake upstream: " + kind);
    }

    /** What a client throws when the upstream stays silent past its read timeout. */
    public static UpstreamException timeout() {
        return UpstreamException.timeout(0, "fake upstream: timed out", null);
    }
}
