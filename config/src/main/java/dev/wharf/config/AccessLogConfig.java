package dev.wharf.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the access log goes: nowhere ({@link #OFF}, the default), to standard output ({@link #STDOUT}), or appended to
 * an absolute {@code file}.
 */
public record AccessLogConfig(boolean enabled, Optional<Path> file) {
    public static final AccessLogConfig OFF = new AccessLogConfig(false, Optional.empty());
    public static final AccessLogConfig STDOUT = new AccessLogConfig(true, Optional.empty());

    public AccessLogConfig {
        Objects.requireNonNull(file, "file");
        if (!enabled && file.isPresent()) {
            throw new IllegalArgumentException("a disabled access log has no file");
        }
    }

    /** Appended to {@code file}. */
    public static AccessLogConfig toFile(Path file) {
        return new AccessLogConfig(true, Optional.of(file));
    }
}
