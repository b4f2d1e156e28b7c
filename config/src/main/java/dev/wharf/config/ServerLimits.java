package dev.wharf.config;

import java.time.Duration;
import java.util.Objects;

/**
 * What one client may hold of the {@code /v2/} listener. {@code headerTimeout}: from the moment a connection waits for
 * a request (it opened, or its last answer was sent) until that request's head has arrived; past it the connection is
 * closed ({@code 408} when part of a head came). {@code idleTimeout}: a connection with no traffic either way this
 * long is closed. {@code maxConnections} in all and {@code maxConnectionsPerAddress} from one client IP address:
 * connections beyond them are answered at once ({@code 503} / {@code 429}) and closed. {@code maxPipelined}: requests
 * a client may send ahead of their answers on one connection; the next one is answered {@code 429} and the
 * connection closed once the earlier ones are answered. {@code http2}: what one HTTP/2 connection may hold and do.
 */
public record ServerLimits(
        Duration headerTimeout,
        Duration idleTimeout,
        int maxConnections,
        int maxConnectionsPerAddress,
        int maxPipelined,
        Http2Limits http2) {
    /** The built-in limits. */
    public static final ServerLimits DEFAULT = new ServerLimits(
            Defaults.HEADER_TIMEOUT,
            Defaults.IDLE_TIMEOUT,
            Defaults.MAX_CONNECTIONS,
            Defaults.MAX_CONNECTIONS_PER_ADDRESS,
            Defaults.MAX_PIPELINED,
            Http2Limits.DEFAULT);

    /** The limits with the default HTTP/2 limits. */
    public ServerLimits(
            Duration headerTimeout,
            Duration idleTimeout,
            int maxConnections,
            int maxConnectionsPerAddress,
            int maxPipelined) {
        this(headerTimeout, idleTimeout, maxConnections, maxConnectionsPerAddress, maxPipelined, Http2Limits.DEFAULT);
    }

    public ServerLimits {
        Objects.requireNonNull(headerTimeout, "headerTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(http2, "http2");
        if (headerTimeout.isNegative() || headerTimeout.isZero() || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (maxConnections < 1 || maxConnectionsPerAddress < 1 || maxPipelined < 1) {
            throw new IllegalArgumentException("limits must be at least 1");
        }
    }
}
