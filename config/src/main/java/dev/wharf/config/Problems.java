package dev.wharf.config;

import java.util.ArrayList;
import java.util.List;

/** Collects problems as {@code <path>: <what> (expected: <what>)}; callers never pass secret values here. */
final class Problems {
    private static final int SHOWN_LIMIT = 80;
    private final List<String> found = new ArrayList<>();

    void add(String path, String what) {
        found.add(path + ": " + what);
    }

    void add(String path, String what, String expected) {
        found.add(path + ": " + what + " (expected: " + expected + ")");
    }

    /** Reports a bad non-secret value, shown quoted. */
    void invalid(String path, String value, String expected) {
        add(path, quote(value), expected);
    }

    boolean isEmpty() {
        return found.isEmpty();
    }

    int size() {
        return found.size();
    }

    List<String> list() {
        return List.copyOf(found);
    }

    /** A value in double quotes with quotes, backslashes and control characters escaped, cut after 80 characters. */
    static String quote(String value) {
        StringBuilder out = new StringBuilder("\"");
        int limit = Math.min(value.length(), SHOWN_LIMIT);
        for (int i = 0; i < limit; i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (value.length() > limit) {
            out.append("...");
        }
        return out.append('"').toString();
    }
}
