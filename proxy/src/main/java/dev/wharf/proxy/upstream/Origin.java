package dev.wharf.proxy.upstream;

import java.net.URI;
import java.util.Locale;

/** Scheme, host and effective port of a URI: credentials travel only within one origin. */
record Origin(String scheme, String host, int port) {

    static Origin of(URI uri) {
        return new Origin(
                uri.getScheme().toLowerCase(Locale.ROOT), uri.getHost().toLowerCase(Locale.ROOT), port(uri));
    }

    /** The explicit port, or the scheme's default. */
    static int port(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    /** Where a message may point: scheme, host and port, never a path or query of a foreign URL. */
    @Override
    public String toString() {
        return scheme + "://" + host + ":" + port;
    }
}
