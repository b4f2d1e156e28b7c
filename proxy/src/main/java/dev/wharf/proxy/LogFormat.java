package dev.wharf.proxy;

import ch.qos.logback.core.PropertyDefinerBase;
import java.util.Locale;
import java.util.Map;

/**
 * Chooses how Wharf logs, for {@code logback.xml}: {@code LOG_FORMAT=json} writes one JSON object per line, {@code
 * LOG_FORMAT=text} one readable line; unset, JSON when the process has no terminal (a container, a service) and text
 * when it has one. The value is the name of the appender to use.
 */
public final class LogFormat extends PropertyDefinerBase {
    static final String JSON = "JSON";
    static final String TEXT = "TEXT";

    @Override
    public String getPropertyValue() {
        return resolve(System.getenv(), System.console() != null);
    }

    /** The appender {@code env}'s {@code LOG_FORMAT} asks for, or the default for a process with or without a terminal. */
    static String resolve(Map<String, String> env, boolean terminal) {
        String format = env.getOrDefault("LOG_FORMAT", "").trim().toLowerCase(Locale.ROOT);
        return switch (format) {
            case "json" -> JSON;
            case "text" -> TEXT;
            default -> terminal ? TEXT : JSON;
        };
    }
}
