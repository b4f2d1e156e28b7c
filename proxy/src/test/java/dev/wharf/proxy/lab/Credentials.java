package dev.wharf.proxy.lab;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** A user name and password for Basic authentication. */
public record Credentials(String user, String password) {
    public Credentials {
        if (user.isEmpty() || user.contains(":")) {
            throw new IllegalArgumentException("user must be non-empty and contain no ':'");
        }
    }

    /** The value of an {@code Authorization} header carrying these credentials. */
    public String basicHeader() {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** {@code user:password}, as skopeo's {@code --creds} and ctr's {@code --user} take it. */
    public String colonSeparated() {
        return user + ":" + password;
    }

    @Override
    public String toString() {
        return "Credentials[user=" + user + "]";
    }
}
