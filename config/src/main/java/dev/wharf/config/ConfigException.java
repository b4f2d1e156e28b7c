package dev.wharf.config;

import java.util.List;

/** Every problem found in a configuration, each as {@code <yaml path>: <what is wrong> (expected: <what>)}. */
public final class ConfigException extends RuntimeException {
    private final List<String> problems;

    /** Creates an exception carrying the given problems; the message is the problems joined by newlines. */
    public ConfigException(List<String> problems) {
        super(String.join("\n", problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a configuration exception needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    /** The problems in the order they were found; never empty, never containing a secret value. */
    public List<String> problems() {
        return problems;
    }
}
