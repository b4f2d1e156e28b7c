package dev.wharf.proxy.upstream;

import java.util.Optional;

/**
 * Where one upstream's {@link Login} comes from at the moment of a request. Implementations re-read files that
 * changed and run credential helpers as their settings say; they are thread-safe and cheap when nothing changed.
 */
public interface CredentialSource {
    /**
     * The login to use now; empty for anonymous access. Throws {@link UpstreamException} ({@code CREDENTIALS}) when
     * the source cannot give one (file gone, helper failed or hung), with a message naming the source, never a secret.
     */
    Optional<Login> current();

    /** The source for logs: {@code passwordFile /run/secrets/pw}, {@code credentialHelper ecr-login}. */
    String describe();

    /**
     * Forgets any login reused from an earlier call (a helper's cached answer, an issued token), so the next
     * {@link #current()} obtains a fresh one. Called once when the upstream refuses the current login.
     */
    default void refresh() {}

    /** A source that always answers {@code login}. */
    static CredentialSource fixed(Optional<Login> login, String description) {
        return new CredentialSource() {
            @Override
            public Optional<Login> current() {
                return login;
            }

            @Override
            public String describe() {
                return description;
            }
        };
    }

    /** The static credentials of {@code settings}: Basic, a bearer token, or none. */
    static CredentialSource of(UpstreamSettings settings) {
        if (settings.hasBasicCredentials()) {
            return fixed(
                    Optional.of(new Login.Basic(
                            settings.username().get(), settings.password().get())),
                    "password");
        }
        return settings.token().isPresent()
                ? fixed(Optional.of(new Login.Bearer(settings.token().get())), "token")
                : fixed(Optional.empty(), "anonymous");
    }
}
