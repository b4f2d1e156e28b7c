package dev.wharf.config;

import java.time.Duration;
import java.util.Objects;

/**
 * What one HTTP/2 connection of the TLS listener may hold and do. {@code maxConcurrentStreams}: streams open at once,
 * announced in the server's SETTINGS; a stream beyond it is refused ({@code REFUSED_STREAM}). {@code maxResets} within
 * {@code resetWindow}: stream resets a connection may send or cause (Rapid Reset, CVE-2023-44487; MadeYouReset,
 * CVE-2025-55163) before it gets {@code GOAWAY} and is closed. The window is counted in whole seconds.
 */
public record Http2Limits(int maxConcurrentStreams, int maxResets, Duration resetWindow) {
    /** The built-in limits. */
    public static final Http2Limits DEFAULT = new Http2Limits(
            Defaults.HTTP2_MAX_CONCURRENT_STREAMS, Defaults.HTTP2_MAX_RESETS, Defaults.HTTP2_RESET_WINDOW);

    public Http2Limits {
        Objects.requireNonNull(resetWindow, "resetWindow");
        if (maxConcurrentStreams < 1 || maxResets < 1) {
            throw new IllegalArgumentException("limits must be at least 1");
        }
        if (resetWindow.toSeconds() < 1 || resetWindow.toSeconds() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the reset window must be 1s or more");
        }
    }
}
