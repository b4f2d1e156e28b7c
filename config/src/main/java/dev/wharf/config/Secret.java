package dev.wharf.config;

import java.nio.file.Path;
import java.util.Objects;

/** A password or token: written in the configuration, or kept in a file that is read again when it changes. */
public sealed interface Secret {
    /** A secret given inline (possibly through {@code ${VAR}}); {@link #toString()} never shows it. */
    record Inline(String value) implements Secret {
        public Inline {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String toString() {
            return "Inline[***]";
        }
    }

    /** A secret read from {@code path} (absolute) on use, trailing newlines removed. */
    record InFile(Path path) implements Secret {
        public InFile {
            Objects.requireNonNull(path, "path");
        }
    }
}
