package dev.wharf.proxy.upstream;

import java.util.Objects;

/** What Wharf presents to an upstream: never shown by {@link #toString()}. */
public sealed interface Login {
    /** A user name and password: sent as Basic to the upstream and to its token realm. */
    record Basic(String username, String password) implements Login {
        public Basic {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String toString() {
            return "Basic[username=" + username + ", password=***]";
        }
    }

    /** A bearer token sent as is, with no token request. */
    record Bearer(String token) implements Login {
        public Bearer {
            Objects.requireNonNull(token, "token");
        }

        @Override
        public String toString() {
            return "Bearer[***]";
        }
    }

    /**
     * A Docker identity token (an OAuth2 refresh token): exchanged at the token realm by a {@code refresh_token} grant
     * for each scope's access token.
     */
    record IdentityToken(String token) implements Login {
        public IdentityToken {
            Objects.requireNonNull(token, "token");
        }

        @Override
        public String toString() {
            return "IdentityToken[***]";
        }
    }
}
