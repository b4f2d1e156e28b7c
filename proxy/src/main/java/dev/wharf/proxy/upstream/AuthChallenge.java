package dev.wharf.proxy.upstream;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One challenge of a {@code WWW-Authenticate} header (RFC 9110 section 11.6.1): a scheme, lowercased, and its
 * parameters with lowercased names. Values keep their case; quoted values are unescaped.
 */
record AuthChallenge(String scheme, Map<String, String> params) {
    private static final String TCHARS = "!#$%&'*+-.^_`|~";
    private static final String TOKEN68_CHARS = "-._~+/";

    AuthChallenge {
        scheme = scheme.toLowerCase(Locale.ROOT);
        params = Map.copyOf(params);
    }

    /** A parameter by case-insensitive name. */
    Optional<String> param(String name) {
        return Optional.ofNullable(params.get(name.toLowerCase(Locale.ROOT)));
    }

    /** Every challenge in {@code header}; throws {@link IllegalArgumentException} when it is malformed. */
    static List<AuthChallenge> parse(String header) {
        return new Parser(header).challenges();
    }

    private static final class Parser {
        private final String s;
        private int i;

        Parser(String s) {
            this.s = s;
        }

        List<AuthChallenge> challenges() {
            List<AuthChallenge> result = new ArrayList<>();
            while (true) {
                skipSeparators();
                if (atEnd()) {
                    return result;
                }
                String scheme = token();
                if (scheme.isEmpty()) {
                    throw new IllegalArgumentException("malformed WWW-Authenticate: expected a scheme");
                }
                result.add(new AuthChallenge(scheme, params()));
            }
        }

        /** Parameters up to the start of the next challenge (a token not followed by '='). */
        private Map<String, String> params() {
            Map<String, String> params = new LinkedHashMap<>();
            boolean first = true;
            while (true) {
                skipWhitespace();
                if (atEnd()) {
                    return params;
                }
                int start = i;
                if (!first) {
                    if (s.charAt(i) != ',') {
                        throw new IllegalArgumentException("malformed WWW-Authenticate: expected ','");
                    }
                    skipSeparators();
                    if (atEnd()) {
                        return params;
                    }
                }
                int elementStart = i;
                if (param(params)) {
                    first = false;
                    continue;
                }
                if (first && token68()) {
                    first = false;
                    continue;
                }
                i = first ? elementStart : start;
                return params;
            }
        }

        private boolean param(Map<String, String> params) {
            int save = i;
            String name = token();
            skipWhitespace();
            if (name.isEmpty() || atEnd() || s.charAt(i) != '=') {
                i = save;
                return false;
            }
            i++;
            skipWhitespace();
            boolean isQuoted = !atEnd() && s.charAt(i) == '"';
            String value = isQuoted ? quoted() : token();
            if (value.isEmpty() && !isQuoted) {
                i = save;
                return false;
            }
            params.putIfAbsent(name.toLowerCase(Locale.ROOT), value);
            return true;
        }

        private boolean token68() {
            int save = i;
            while (!atEnd() && isToken68Char(s.charAt(i))) {
                i++;
            }
            boolean any = i > save;
            while (!atEnd() && s.charAt(i) == '=') {
                i++;
            }
            skipWhitespace();
            if (any && (atEnd() || s.charAt(i) == ',')) {
                return true;
            }
            i = save;
            return false;
        }

        private String quoted() {
            StringBuilder value = new StringBuilder();
            i++;
            while (!atEnd()) {
                char c = s.charAt(i++);
                if (c == '"') {
                    return value.toString();
                }
                if (c == '\\') {
                    if (atEnd()) {
                        break;
                    }
                    c = s.charAt(i++);
                }
                value.append(c);
            }
            throw new IllegalArgumentException("malformed WWW-Authenticate: unterminated quoted string");
        }

        private String token() {
            int start = i;
            while (!atEnd() && isTokenChar(s.charAt(i))) {
                i++;
            }
            return s.substring(start, i);
        }

        private void skipWhitespace() {
            while (!atEnd() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
                i++;
            }
        }

        private void skipSeparators() {
            while (!atEnd() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == ',')) {
                i++;
            }
        }

        private boolean atEnd() {
            return i >= s.length();
        }

        private static boolean isTokenChar(char c) {
            return c < 128 && (Character.isLetterOrDigit(c) || TCHARS.indexOf(c) >= 0);
        }

        private static boolean isToken68Char(char c) {
            return c < 128 && (Character.isLetterOrDigit(c) || TOKEN68_CHARS.indexOf(c) >= 0);
        }
    }
}
