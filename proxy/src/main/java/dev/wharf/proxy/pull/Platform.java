package dev.wharf.proxy.pull;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/** A platform an image runs on, as an image index names it: {@code os/architecture} or {@code os/architecture/variant}. */
public record Platform(String os, String architecture, Optional<String> variant) {
    private static final Pattern PART = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    public Platform {
        Objects.requireNonNull(variant, "variant");
        for (String part :
                variant.map(v -> new String[] {os, architecture, v}).orElse(new String[] {os, architecture})) {
            if (part == null || !PART.matcher(part).matches()) {
                throw new IllegalArgumentException("not a platform part: " + part);
            }
        }
    }

    /** {@code linux/amd64} or {@code linux/arm64/v8}; throws {@link IllegalArgumentException} on anything else. */
    public static Platform parse(String text) {
        String[] parts = text.split("/", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw new IllegalArgumentException("not os/architecture[/variant]: " + text);
        }
        return new Platform(parts[0], parts[1], parts.length == 3 ? Optional.of(parts[2]) : Optional.empty());
    }

    /**
     * Whether an index entry for {@code other} serves this platform: same os and architecture, and the same variant
     * when this one names a variant.
     */
    public boolean admits(Platform other) {
        return os.equals(other.os)
                && architecture.equals(other.architecture)
                && (variant.isEmpty() || variant.equals(other.variant));
    }

    @Override
    public String toString() {
        return os + "/" + architecture + variant.map(v -> "/" + v).orElse("");
    }
}
