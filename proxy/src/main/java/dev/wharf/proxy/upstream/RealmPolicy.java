package dev.wharf.proxy.upstream;

import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which token realms an upstream may send us to. A hostile {@code WWW-Authenticate} realm could otherwise make us
 * send credentials to, or request, any host (SSRF). A realm is accepted when its scheme is https (or http when the
 * upstream itself is http) and its host is the upstream's host, shares the upstream's registrable domain without
 * being an IP literal or a localhost name, or is allow-listed as {@code host} or {@code host:port}.
 */
final class RealmPolicy {
    private static final Pattern IPV4 = Pattern.compile("[0-9.]+");

    private RealmPolicy() {}

    /** True when a token request may go to {@code realm} on behalf of the upstream at {@code base}. */
    static boolean allows(URI realm, URI base, List<String> allowedHosts) {
        if (!realm.isAbsolute() || realm.getHost() == null || realm.getRawUserInfo() != null) {
            return false;
        }
        String scheme = realm.getScheme().toLowerCase(Locale.ROOT);
        boolean baseIsHttp = base.getScheme().equalsIgnoreCase("http");
        if (!scheme.equals("https") && !(scheme.equals("http") && baseIsHttp)) {
            return false;
        }
        String host = normalize(realm.getHost());
        String hostPort = host + ":" + Origin.port(realm);
        for (String allowed : allowedHosts) {
            String entry = normalize(allowed);
            if (entry.equals(host) || entry.equals(hostPort)) {
                return true;
            }
        }
        String baseHost = normalize(base.getHost());
        if (host.equals(baseHost)) {
            return true;
        }
        if (isIpLiteral(host) || isLocalName(host) || isIpLiteral(baseHost)) {
            return false;
        }
        return registrableDomain(host).equals(registrableDomain(baseHost));
    }

    /**
     * An approximation of the registrable domain without the public suffix list: the last two labels, or the last
     * three when the second-to-last label is at most three characters ({@code co.uk}, {@code com.au}). Errs towards
     * refusing: {@code auth.abc.com} and {@code registry.abc.com} differ, and need the allow-list.
     */
    static String registrableDomain(String host) {
        String[] labels = normalize(host).split("\\.", -1);
        int n = labels.length;
        if (n <= 2) {
            return String.join(".", labels);
        }
        int keep = labels[n - 2].length() <= 3 ? 3 : 2;
        return String.join(".", Arrays.copyOfRange(labels, n - keep, n));
    }

    static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0
                || host.startsWith("[")
                || IPV4.matcher(host).matches();
    }

    private static boolean isLocalName(String host) {
        return host.equals("localhost") || host.endsWith(".localhost");
    }

    private static String normalize(String host) {
        String h = host.toLowerCase(Locale.ROOT).trim();
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }
}
