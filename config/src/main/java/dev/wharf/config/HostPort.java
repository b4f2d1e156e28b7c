package dev.wharf.config;

import java.util.regex.Pattern;

/** A listen address: a host name or IP literal (IPv6 without brackets) and a port; port 0 means any free port. */
public record HostPort(String host, int port) {
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(?:%[A-Za-z0-9_.]+)?");
    private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");
    private static final String WILDCARD = "0.0.0.0";

    public HostPort {
        if (host == null
                || !(HOST_NAME.matcher(host).matches() || IPV6.matcher(host).matches())) {
            throw new IllegalArgumentException("invalid host");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 to 65535");
        }
    }

    /**
     * Parses {@code host:port}, {@code :port} (host 0.0.0.0) or {@code [ipv6]:port} with port 1-65535; throws
     * {@link IllegalArgumentException} otherwise.
     */
    public static HostPort parse(String text) {
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf("]:");
            if (close < 0) {
                throw new IllegalArgumentException("expected [ipv6]:port");
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
            if (!IPV6.matcher(host).matches()) {
                throw new IllegalArgumentException("invalid IPv6 address");
            }
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("expected host:port");
            }
            host = colon == 0 ? WILDCARD : text.substring(0, colon);
            port = text.substring(colon + 1);
            if (!HOST_NAME.matcher(host).matches()) {
                throw new IllegalArgumentException("invalid host");
            }
        }
        if (!PORT.matcher(port).matches()) {
            throw new IllegalArgumentException("invalid port");
        }
        int number = Integer.parseInt(port);
        if (number < 1 || number > 65535) {
            throw new IllegalArgumentException("port must be 1 to 65535");
        }
        return new HostPort(host, number);
    }

    /** {@code host:port}, with brackets around an IPv6 host. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
