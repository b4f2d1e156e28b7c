package dev.wharf.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How clients of the registry API prove who they are, when client authentication is on: users with bcrypt passwords
 * in an {@code htpasswd} file, static bearer {@code tokens} each read from a file and naming its user, and verified
 * client certificates whose subject CN is the user ({@code clientCertificates}). {@code realm} is what the
 * {@code WWW-Authenticate} challenge names. At least one way is set. Paths are absolute. {@code admins} names the
 * users who may use the admin API and status page; empty means nobody may (they answer {@code 403}).
 */
public record ClientAuth(
        String realm, Optional<Path> htpasswd, List<Token> tokens, boolean clientCertificates, List<String> admins) {
    /** A bearer token kept in {@code file} (read again when it changes), identifying {@code user}. */
    public record Token(String user, Path file) {
        public Token {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(file, "file");
        }
    }

    public ClientAuth {
        Objects.requireNonNull(realm, "realm");
        Objects.requireNonNull(htpasswd, "htpasswd");
        tokens = List.copyOf(tokens);
        admins = List.copyOf(admins);
        if (htpasswd.isEmpty() && tokens.isEmpty() && !clientCertificates) {
            throw new IllegalArgumentException("client authentication needs htpasswd, tokens or clientCertificates");
        }
    }

    /** Client authentication without administrators: the admin API is closed to everyone. */
    public ClientAuth(String realm, Optional<Path> htpasswd, List<Token> tokens, boolean clientCertificates) {
        this(realm, htpasswd, tokens, clientCertificates, List.of());
    }

    /** True when {@code user} is one of {@link #admins}. */
    public boolean isAdmin(String user) {
        return admins.contains(user);
    }
}
