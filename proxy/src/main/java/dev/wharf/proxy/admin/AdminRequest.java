package dev.wharf.proxy.admin;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One request to the admin listener as an endpoint sees it: its method, decoded path, query parameters and the values
 * its route's {@code {name}} segments matched.
 */
public record AdminRequest(
        String method, String path, Map<String, List<String>> query, Map<String, String> pathParameters) {
    public AdminRequest {
        query = Map.copyOf(query);
        pathParameters = Map.copyOf(pathParameters);
    }

    /** The first value of query parameter {@code name}; empty when absent. */
    public Optional<String> queryParameter(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** What the route's {@code {name}} segment matched; throws {@link IllegalArgumentException} when it has none. */
    public String pathParameter(String name) {
        String value = pathParameters.get(name);
        if (value == null) {
            throw new IllegalArgumentException("no path parameter " + name);
        }
        return value;
    }
}
