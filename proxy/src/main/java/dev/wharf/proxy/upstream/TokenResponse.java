package dev.wharf.proxy.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * A bearer token from a token endpoint and the instant after which it should be refetched. The lifetime starts at
 * {@code issued_at} when that is in the past (a skewed issuer clock only shortens it), else now; the token is
 * refreshed {@code min(30 s, 10% of lifetime)} before it expires.
 */
record TokenResponse(String token, Instant refreshAt) {
    static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(60);
    private static final Duration MAX_LIFETIME = Duration.ofHours(24);
    private static final Duration MAX_MARGIN = Duration.ofSeconds(30);
    /** Visible ASCII only: the token goes into a header verbatim. */
    private static final Pattern TOKEN = Pattern.compile("[\\x21-\\x7e]{1,65536}");

    /** Parses the token endpoint's JSON; throws {@link IllegalArgumentException} when there is no usable token. */
    static TokenResponse parse(byte[] body, Instant now) {
        JsonNode json;
        try {
            json = UpstreamJson.parse(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("token response is not JSON");
        }
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException("token response is not a JSON object");
        }
        String token = text(json, "token");
        if (token == null) {
            token = text(json, "access_token");
        }
        if (token == null || !TOKEN.matcher(token).matches()) {
            throw new IllegalArgumentException("token response has no usable token");
        }
        Duration lifetime = DEFAULT_LIFETIME;
        JsonNode expiresIn = json.get("expires_in");
        if (expiresIn != null && expiresIn.canConvertToLong() && expiresIn.asLong() > 0) {
            lifetime = Duration.ofSeconds(Math.min(expiresIn.asLong(), MAX_LIFETIME.toSeconds()));
        }
        Instant issued = issuedAt(text(json, "issued_at"));
        Instant start = issued != null && issued.isBefore(now) ? issued : now;
        Duration margin = lifetime.dividedBy(10).compareTo(MAX_MARGIN) < 0 ? lifetime.dividedBy(10) : MAX_MARGIN;
        return new TokenResponse(token, start.plus(lifetime).minus(margin));
    }

    private static String text(JsonNode json, String field) {
        JsonNode node = json.get(field);
        return node != null && node.isTextual() && !node.asText().isEmpty() ? node.asText() : null;
    }

    private static Instant issuedAt(String text) {
        if (text == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
