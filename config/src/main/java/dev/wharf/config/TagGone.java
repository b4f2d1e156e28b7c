package dev.wharf.config;

import java.util.Locale;

/** What Wharf answers for a cached tag its upstream says is gone: the cached manifest, or 404. */
public enum TagGone {
    SERVE,
    NOT_FOUND;

    /** {@code serve} or {@code notFound}, any case; throws {@link IllegalArgumentException} otherwise. */
    static TagGone parse(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "serve" -> SERVE;
            case "notfound" -> NOT_FOUND;
            default -> throw new IllegalArgumentException("not serve or notFound");
        };
    }
}
