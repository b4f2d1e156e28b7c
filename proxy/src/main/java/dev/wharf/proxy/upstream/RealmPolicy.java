package dev.wharf.proxy.upstream;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * Which token realms an upstream may send us to. A hostile {@code WWW-Authenticate} realm could otherwise make us send
 * credentials to, or request, any host (SSRF). A realm is accepted only when it has the upstream's own origin (scheme,
 * host and port), or when its scheme is https (http only for an http upstream) and its {@code host:port} is
 * allow-listed. An allow-list entry without a port stands for the realm scheme's default port. No guess from domain
 * names: {@code auth.example.com} is not trusted for {@code registry.example.com} unless listed, since without a
 * public-suffix list two hosts that share the last labels ({@code *.azurecr.io}, {@code *.s3-website-*.amazonaws.com})
 * may belong to strangers.
 */
final class RealmPolicy {
    private RealmPolicy() {}

    /** True when a token request may go to {@code realm} on behalf of the upstream at {@code base}. */
    static boolean allows(URI realm, URI base, List<String> allowedHosts) {
        if (!realm.isAbsolute()
                || realm.getHost() == null
                || realm.getRawUserInfo() != null
                || realm.getRawFragment() != null) {
            return false;
        }
        String scheme = realm.getScheme().toLowerCase(Locale.ROOT);
        boolean baseIsHttp = base.getScheme().equalsIgnoreCase("http");
        if (!scheme.equals("https") && !(scheme.equals("http") && baseIsHttp)) {
            return false;
        }
        Origin origin = new Origin(scheme, normalize(realm.getHost()), Origin.port(realm));
        if (origin.equals(
                new Origin(base.getScheme().toLowerCase(Locale.ROOT), normalize(base.getHost()), Origin.port(base)))) {
            return true;
        }
        int defaultPort = scheme.equals("https") ? 443 : 80;
        for (String allowed : allowedHosts) {
            if (matches(normalize(allowed), origin, defaultPort)) {
                return true;
            }
        }
        return false;
    }

    /** {@code entry} is {@code host} (the default port) or {@code host:port}; IPv6 entries are not supported. */
    private static boolean matches(String entry, Origin origin, int defaultPort) {
        int colon = entry.lastIndexOf(':');
        String host = colon < 0 ? entry : entry.substring(0, colon);
        int port;
        try {
            port = colon < 0 ? defaultPort : Integer.parseInt(entry.substring(colon + 1));
        } catch (NumberFormatException e) {
            return false;
        }
        return normalize(host).equals(origin.host()) && port == origin.port();
    }

    private static String normalize(String host) {
        String h = host.toLowerCase(Locale.ROOT).trim();
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }
}
