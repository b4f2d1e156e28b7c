package dev.wharf.proxy.lab;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** One {@code WWW-Authenticate} challenge: a scheme and its parameters ({@code realm}, {@code service}, ...). */
record Challenge(String scheme, Map<String, String> parameters) {
    /** Parses {@code Scheme k="v",k2=v2}; a header with several challenges yields the first. */
    static Challenge parse(String header) {
        String text = header.strip();
        int space = text.indexOf(' ');
        String scheme = space < 0 ? text : text.substring(0, space);
        Map<String, String> parameters = new LinkedHashMap<>();
        int i = space < 0 ? text.length() : space + 1;
        while (i < text.length()) {
            int eq = text.indexOf('=', i);
            if (eq < 0) {
                break;
            }
            String key = text.substring(i, eq).strip().toLowerCase(Locale.ROOT);
            StringBuilder value = new StringBuilder();
            int j = eq + 1;
            if (j < text.length() && text.charAt(j) == '"') {
                j++;
                while (j < text.length() && text.charAt(j) != '"') {
                    if (text.charAt(j) == '\\' && j + 1 < text.length()) {
                        j++;
                    }
                    value.append(text.charAt(j++));
                }
                j++;
            } else {
                while (j < text.length() && text.charAt(j) != ',') {
                    value.append(text.charAt(j++));
                }
            }
            parameters.put(key, value.toString().strip());
            while (j < text.length() && (text.charAt(j) == ',' || text.charAt(j) == ' ')) {
                j++;
            }
            i = j;
        }
        return new Challenge(scheme, Map.copyOf(parameters));
    }

    boolean isBearer() {
        return scheme.equalsIgnoreCase("Bearer");
    }

    boolean isBasic() {
        return scheme.equalsIgnoreCase("Basic");
    }

    Optional<String> parameter(String name) {
        return Optional.ofNullable(parameters.get(name));
    }
}
