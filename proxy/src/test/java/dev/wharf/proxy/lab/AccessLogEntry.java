package dev.wharf.proxy.lab;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One request as the registry's Apache combined-format access log recorded it. */
public record AccessLogEntry(String method, String uri, int status, String user, String userAgent) {
    // 127.0.0.1 - user [23/Nov/2026:09:40:45 +0000] "GET /v2/ HTTP/1.1" 200 2 "" "curl/7.88.1"
    private static final Pattern COMBINED = Pattern.compile(
            "^\\S+ \\S+ (\\S+) \\[[^\\]]*\\] \"(\\S+) (\\S+) [^\"]*\" (\\d{3}) \\S+ \"(?:[^\"\\\\]|\\\\.)*\" \"((?:[^\"\\\\]|\\\\.)*)\"");

    /** Parses one access log line; empty for anything else the registry printed. */
    public static Optional<AccessLogEntry> parse(String line) {
        Matcher m = COMBINED.matcher(line);
        if (!m.find()) {
            return Optional.empty();
        }
        return Optional.of(
                new AccessLogEntry(m.group(2), m.group(3), Integer.parseInt(m.group(4)), m.group(1), m.group(5)));
    }

    /** The request path without its query string. */
    public String path() {
        int query = uri.indexOf('?');
        return query < 0 ? uri : uri.substring(0, query);
    }

    /** The raw query string, or empty. */
    public Optional<String> query() {
        int query = uri.indexOf('?');
        return query < 0 ? Optional.empty() : Optional.of(uri.substring(query + 1));
    }
}
