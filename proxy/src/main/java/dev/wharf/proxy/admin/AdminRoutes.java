package dev.wharf.proxy.admin;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The admin listener's endpoints by method and path pattern. A pattern is {@code /}-separated segments, each literal
 * or {@code {name}}, which matches one non-empty segment and is handed to the endpoint. Adding an endpoint is one
 * call: {@code routes.add("POST", "/prewarm/{name}/run", endpoint)}. Every route is for administrators only (when
 * client authentication is on) unless added with {@link #getOpen}, so a new endpoint is closed by default. Not
 * thread-safe while being built; read-only once the server started.
 */
public final class AdminRoutes {
    private record Route(String method, String[] segments, AdminEndpoint endpoint, boolean open) {}

    /** What a request finds: an endpoint with its path parameters, a path known for other methods, or nothing. */
    sealed interface Match {
        /** {@code open}: answered without authentication (health probes, the scrape). */
        record Found(AdminEndpoint endpoint, Map<String, String> parameters, boolean open) implements Match {}

        record WrongMethod(String allowed) implements Match {}

        record NotFound() implements Match {}
    }

    private final List<Route> routes = new ArrayList<>();

    /** Adds {@code endpoint} for {@code method} on {@code pattern}; returns these routes. */
    public AdminRoutes add(String method, String pattern, AdminEndpoint endpoint) {
        return add(method, pattern, endpoint, false);
    }

    /**
     * Adds {@code endpoint} for {@code GET} on {@code pattern}, answered to anyone even when client authentication is
     * on: only for what tells nothing about the cache's content and changes nothing (health probes, the scrape).
     */
    public AdminRoutes getOpen(String pattern, AdminEndpoint endpoint) {
        return add("GET", pattern, endpoint, true);
    }

    private AdminRoutes add(String method, String pattern, AdminEndpoint endpoint, boolean open) {
        if (!pattern.startsWith("/")) {
            throw new IllegalArgumentException("pattern must start with /: " + pattern);
        }
        routes.add(new Route(method, split(pattern), endpoint, open));
        return this;
    }

    /** {@link #add} for {@code GET}. */
    public AdminRoutes get(String pattern, AdminEndpoint endpoint) {
        return add("GET", pattern, endpoint);
    }

    /** What {@code method} on {@code path} reaches. */
    Match find(String method, String path) {
        String[] segments = split(path);
        TreeSet<String> allowed = new TreeSet<>();
        for (Route route : routes) {
            Optional<Map<String, String>> parameters = match(route.segments(), segments);
            if (parameters.isEmpty()) {
                continue;
            }
            if (route.method().equals(method)) {
                return new Match.Found(route.endpoint(), parameters.get(), route.open());
            }
            allowed.add(route.method());
        }
        return allowed.isEmpty() ? new Match.NotFound() : new Match.WrongMethod(String.join(", ", allowed));
    }

    /**
     * The parameters when {@code path} matches {@code pattern}. One segment may be {@code {name...}}: it takes one or
     * more segments, joined by {@code /} (a prewarm rule's name such as {@code docker.io/library/redis}).
     */
    private static Optional<Map<String, String>> match(String[] pattern, String[] path) {
        int spread = -1;
        for (int i = 0; i < pattern.length; i++) {
            if (pattern[i].startsWith("{") && pattern[i].endsWith("...}")) {
                spread = i;
            }
        }
        int extra = path.length - pattern.length;
        if (spread < 0 ? extra != 0 : extra < 0) {
            return Optional.empty();
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        for (int i = 0; i < pattern.length; i++) {
            if (i == spread) {
                String[] taken = Arrays.copyOfRange(path, i, i + extra + 1);
                if (Arrays.stream(taken).anyMatch(String::isEmpty)) {
                    return Optional.empty();
                }
                parameters.put(pattern[i].substring(1, pattern[i].length() - 4), String.join("/", taken));
                continue;
            }
            String segment = path[spread >= 0 && i > spread ? i + extra : i];
            String p = pattern[i];
            if (p.length() > 2 && p.startsWith("{") && p.endsWith("}")) {
                if (segment.isEmpty()) {
                    return Optional.empty();
                }
                parameters.put(p.substring(1, p.length() - 1), segment);
            } else if (!p.equals(segment)) {
                return Optional.empty();
            }
        }
        return Optional.of(parameters);
    }

    /** {@code /a/b} is {a, b}; {@code /} is {""}; a trailing slash keeps an empty last segment. */
    private static String[] split(String path) {
        return path.substring(1).split("/", -1);
    }
}
