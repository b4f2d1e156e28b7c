package dev.wharf.proxy.upstream;

import com.google.api.client.http.HttpResponseException;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.ServiceAccountCredentials;
import dev.wharf.config.UpstreamCredentials;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Issues the login Google Artifact Registry and GCR take: user {@code oauth2accesstoken} with an OAuth2 access token
 * (scope {@code cloud-platform}) from a service-account JSON key (the JWT-bearer grant at the key's {@code token_uri}),
 * read again when the file changes, or from the environment's Application Default Credentials. Token requests go over
 * {@link JdkHttpTransport}, bounded by the configured timeout; failures never carry the key or a token.
 */
final class GcpIssuer implements RefreshingCredentials.Issuer {
    static final String USERNAME = "oauth2accesstoken";
    static final String SCOPE = "https://www.googleapis.com/auth/cloud-platform";
    /** When an answer has no expiry: reuse the token this long only. */
    private static final Duration UNKNOWN_LIFETIME = Duration.ofMinutes(5);

    private final String upstream;
    private final UpstreamCredentials.Gcp settings;
    private final Optional<WatchedFile> keyFile;
    private final JdkHttpTransport transport;
    private Object builtFrom;
    private GoogleCredentials credentials;

    GcpIssuer(String upstream, UpstreamCredentials.Gcp settings) {
        this.upstream = upstream;
        this.settings = settings;
        this.keyFile = settings.keyFile().map(path -> new WatchedFile(path, 64 * 1024));
        this.transport = new JdkHttpTransport(settings.timeout());
    }

    @Override
    public Object generation() {
        if (keyFile.isEmpty()) {
            return "";
        }
        try {
            return ByteBuffer.wrap(keyFile.get().read());
        } catch (IOException e) {
            throw CredentialSources.failure(upstream, describe() + " " + WatchedFile.reason(e));
        }
    }

    @Override
    public synchronized RefreshingCredentials.Issued issue() {
        AccessToken token;
        try {
            token = credentials().refreshAccessToken();
        } catch (IOException e) {
            throw CredentialSources.failure(upstream, describe() + ": " + reason(e));
        }
        if (token == null
                || token.getTokenValue() == null
                || token.getTokenValue().isEmpty()) {
            throw CredentialSources.failure(upstream, describe() + ": the token endpoint answered no access token");
        }
        Instant expires = token.getExpirationTime() == null
                ? Instant.now().plus(UNKNOWN_LIFETIME)
                : token.getExpirationTime().toInstant();
        return new RefreshingCredentials.Issued(new Login.Basic(USERNAME, token.getTokenValue()), expires);
    }

    /** Why no token came: the token endpoint's status, or the kind of failure; never a message that may quote it. */
    private static String reason(IOException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof HttpResponseException refused) {
                return "the token endpoint answered " + refused.getStatusCode();
            }
        }
        return "no access token (" + e.getClass().getSimpleName()
                + (e.getCause() == null ? "" : ": " + e.getCause().getClass().getSimpleName()) + ")";
    }

    /** The credentials for the key file as it is now (built again when it changed), or the environment's. */
    private GoogleCredentials credentials() throws IOException {
        Object generation = generation();
        if (credentials != null && generation.equals(builtFrom)) {
            return credentials;
        }
        GoogleCredentials built;
        if (keyFile.isPresent()) {
            try {
                built = ServiceAccountCredentials.fromStream(
                        new ByteArrayInputStream(((ByteBuffer) generation).array()), () -> transport);
            } catch (IOException | RuntimeException e) {
                // The parser's message may quote the key: name the kind of failure only.
                throw CredentialSources.failure(upstream, describe() + " is not a usable service-account key");
            }
        } else {
            built = GoogleCredentials.getApplicationDefault(() -> transport);
        }
        credentials = built.createScoped(List.of(SCOPE));
        builtFrom = generation;
        return credentials;
    }

    @Override
    public String describe() {
        return settings.describe();
    }
}
