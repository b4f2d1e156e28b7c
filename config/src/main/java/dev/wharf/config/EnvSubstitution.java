package dev.wharf.config;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${NAME}} and {@code ${NAME:-default}} (default when NAME is unset or empty) in scalar values;
 * a doubled dollar sign before the brace stands for a literal dollar sign and brace. Problems name the variable, never
 * the value or the surrounding text, because the scalar may be a password.
 */
final class EnvSubstitution {
    private static final String EXPECTED = "${NAME} or ${NAME:-default}";
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private EnvSubstitution() {}

    /** The substituted text; empty after reporting to {@code problems} when a variable is unset or malformed. */
    static Optional<String> apply(String raw, Map<String, String> env, String path, Problems problems) {
        if (raw.indexOf("${") < 0) {
            return Optional.of(raw);
        }
        StringBuilder out = new StringBuilder();
        boolean ok = true;
        int i = 0;
        while (i < raw.length()) {
            if (raw.startsWith("$${", i)) {
                out.append("${");
                i += 3;
            } else if (raw.startsWith("${", i)) {
                int close = raw.indexOf('}', i + 2);
                if (close < 0) {
                    problems.add(path, "unterminated ${", EXPECTED);
                    return Optional.empty();
                }
                String body = raw.substring(i + 2, close);
                int dash = body.indexOf(":-");
                String name = dash < 0 ? body : body.substring(0, dash);
                if (!NAME.matcher(name).matches()) {
                    problems.add(path, "malformed variable reference", EXPECTED);
                    ok = false;
                } else {
                    String value = env.get(name);
                    if (dash >= 0 && (value == null || value.isEmpty())) {
                        value = body.substring(dash + 2);
                    }
                    if (value == null) {
                        problems.add(path, "environment variable " + name + " is not set");
                        ok = false;
                    } else {
                        out.append(value);
                    }
                }
                i = close + 1;
            } else {
                out.append(raw.charAt(i++));
            }
        }
        return ok ? Optional.of(out.toString()) : Optional.empty();
    }
}
