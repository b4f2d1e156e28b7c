package dev.wharf.proxy.security;

import java.util.List;

/**
 * A request the {@link Gate} refuses: {@code 401 UNAUTHORIZED} with the challenges a client answers with
 * credentials, {@code 403 DENIED} for a caller the access rules do not let read the target, or {@code 429
 * TOOMANYREQUESTS} when credential checks queue up. The message names no credential.
 */
public final class Refusal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why, with its HTTP status and OCI error code. */
    public enum Kind {
        UNAUTHORIZED(401, "UNAUTHORIZED"),
        DENIED(403, "DENIED"),
        TOO_MANY_REQUESTS(429, "TOOMANYREQUESTS");

        private final int status;
        private final String code;

        Kind(int status, String code) {
            this.status = status;
            this.code = code;
        }

        public int status() {
            return status;
        }

        public String code() {
            return code;
        }
    }

    private final Kind kind;
    private final List<String> challenges;

    Refusal(Kind kind, String message, List<String> challenges) {
        super(message, null, false, false);
        this.kind = kind;
        this.challenges = List.copyOf(challenges);
    }

    public Kind kind() {
        return kind;
    }

    /** The {@code WWW-Authenticate} values to answer with, in order; empty unless unauthorized. */
    public List<String> challenges() {
        return challenges;
    }
}
