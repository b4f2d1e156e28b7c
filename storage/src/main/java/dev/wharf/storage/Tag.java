package dev.wharf.storage;

import java.util.regex.Pattern;

/** A tag: {@code [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}}. */
public record Tag(String value) {
    private static final Pattern GRAMMAR = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");

    public Tag {
        if (!GRAMMAR.matcher(value).matches()) {
            throw new IllegalArgumentException("invalid tag");
        }
    }

    /** Parses a tag; throws {@link IllegalArgumentException} when it breaks the grammar. */
    public static Tag parse(String value) {
        return new Tag(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
