package dev.wharf.storage;

import java.util.regex.Pattern;

/**
 * The name of an upstream as storage keys it: a lowercase DNS host name with an optional port ({@code ghcr.io},
 * {@code registry.local:5000}), at most 253 characters, labels of at most 63. It holds no {@code /} and no empty
 * label, so it is always one safe path segment and never {@code .} or {@code ..}.
 */
public record UpstreamName(String value) {
    private static final Pattern HOST = Pattern.compile(
            "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::([0-9]{1,5}))?");
    /** Longest name accepted, as for a DNS name. */
    public static final int MAX_LENGTH = 253;

    public UpstreamName {
        var matcher = HOST.matcher(value);
        if (value.length() > MAX_LENGTH || !matcher.matches()) {
            throw new IllegalArgumentException("invalid upstream name: expected a host like ghcr.io or host:5000");
        }
        if (matcher.group(1) != null) {
            int port = Integer.parseInt(matcher.group(1));
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("invalid upstream port");
            }
        }
    }

    /** Parses a name; throws {@link IllegalArgumentException} when it is not a host name with an optional port. */
    public static UpstreamName parse(String value) {
        return new UpstreamName(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
