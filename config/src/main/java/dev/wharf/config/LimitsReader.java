package dev.wharf.config;

import java.time.Duration;
import java.util.Set;

/** Reads the top-level {@code limits} mapping; absent keys keep their defaults, bad values are reported. */
final class LimitsReader {
    private static final Set<String> KEYS =
            Set.of("headerTimeout", "idleTimeout", "maxConnections", "maxConnectionsPerAddress", "maxPipelined");
    private static final String CONNECTIONS_EXPECTED = "an integer 1-1000000";

    private LimitsReader() {}

    /** The limits under {@code limits} in {@code root}, or the defaults. */
    static ServerLimits read(YamlMapping root, ReadContext context) {
        ServerLimits d = ServerLimits.DEFAULT;
        return root.node("limits")
                .flatMap(node -> YamlMapping.open(
                        node, "limits", "a mapping of headerTimeout, maxConnections, ...", context, KEYS))
                .map(m -> {
                    Duration header = m.parsed("headerTimeout", Durations.POSITIVE_EXPECTED, Durations::parsePositive)
                            .orElse(d.headerTimeout());
                    Duration idle = m.parsed("idleTimeout", Durations.POSITIVE_EXPECTED, Durations::parsePositive)
                            .orElse(d.idleTimeout());
                    int total = m.parsed("maxConnections", CONNECTIONS_EXPECTED, t -> parseInt(t, 1_000_000))
                            .orElse(d.maxConnections());
                    int perAddress = m.parsed(
                                    "maxConnectionsPerAddress", CONNECTIONS_EXPECTED, t -> parseInt(t, 1_000_000))
                            .orElse(d.maxConnectionsPerAddress());
                    int pipelined = m.parsed("maxPipelined", "an integer 1-1024", t -> parseInt(t, 1024))
                            .orElse(d.maxPipelined());
                    return new ServerLimits(header, idle, total, perAddress, pipelined);
                })
                .orElse(d);
    }

    private static int parseInt(String text, int max) {
        if (!text.matches("[0-9]{1,9}")) {
            throw new IllegalArgumentException("not an integer");
        }
        int value = Integer.parseInt(text);
        if (value < 1 || value > max) {
            throw new IllegalArgumentException("out of range");
        }
        return value;
    }
}
