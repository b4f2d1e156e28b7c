package dev.wharf.storage;

import java.util.regex.Pattern;

/**
 * A repository name as the OCI distribution spec defines it: path components of
 * {@code [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*} joined by {@code /}, at most 255 characters.
 */
public record RepositoryName(String value) {
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*");
    /** Longest name accepted; clients cap {@code host/name} at 255 characters. */
    public static final int MAX_LENGTH = 255;

    public RepositoryName {
        if (value.isEmpty() || value.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("repository name must be 1 to " + MAX_LENGTH + " characters");
        }
        for (String component : value.split("/", -1)) {
            if (!COMPONENT.matcher(component).matches()) {
                throw new IllegalArgumentException("invalid repository name component: " + component);
            }
        }
    }

    /** Parses a name; throws {@link IllegalArgumentException} when it breaks the grammar. */
    public static RepositoryName parse(String value) {
        return new RepositoryName(value);
    }

    /** The first path component. */
    public String firstComponent() {
        int slash = value.indexOf('/');
        return slash < 0 ? value : value.substring(0, slash);
    }

    @Override
    public String toString() {
        return value;
    }
}
