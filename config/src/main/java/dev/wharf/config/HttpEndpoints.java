package dev.wharf.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

/** The rule for an endpoint URL that a key like {@code endpoint} takes: http or https, a host, nothing secret. */
final class HttpEndpoints {
    static final String EXPECTED = "http(s)://host[:port] without credentials, query or fragment";

    private HttpEndpoints() {}

    /** {@code text} as a URI when it is an http(s) URL with a host and no user info, query or fragment. */
    static Optional<URI> parse(String text) {
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            boolean bare = uri.getRawUserInfo() == null && uri.getRawQuery() == null && uri.getRawFragment() == null;
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null && bare) {
                return Optional.of(uri);
            }
        } catch (URISyntaxException e) {
            // not a URI at all
        }
        return Optional.empty();
    }
}
