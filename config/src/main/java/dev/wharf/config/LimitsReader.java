package dev.wharf.config;

import java.time.Duration;
import java.util.Set;

/** Reads the top-level {@code limits} mapping; absent keys keep their defaults, bad values are reported. */
final class LimitsReader {
    private static final Set<String> KEYS = Set.of(
            "headerTimeout", "idleTimeout", "maxConnections", "maxConnectionsPerAddress", "maxPipelined", "http2");
    private static final Set<String> HTTP2_KEYS = Set.of("maxConcurrentStreams", "maxResets", "resetWindow");
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
                    Http2Limits http2 = m.node("http2")
                            .flatMap(node -> YamlMapping.open(
                                    node,
                                    m.pathOf("http2"),
                                    "a mapping of maxConcurrentStreams, maxResets, resetWindow",
                                    m.context(),
                                    HTTP2_KEYS))
                            .map(LimitsReader::http2)
                            .orElse(d.http2());
                    return new ServerLimits(header, idle, total, perAddress, pipelined, http2);
                })
                .orElse(d);
    }

    private static Http2Limits http2(YamlMapping m) {
        Http2Limits d = Http2Limits.DEFAULT;
        int streams = m.parsed("maxConcurrentStreams", "an integer 1-10000", t -> parseInt(t, 10_000))
                .orElse(d.maxConcurrentStreams());
        int resets = m.parsed("maxResets", "an integer 1-1000000", t -> parseInt(t, 1_000_000))
                .orElse(d.maxResets());
        Duration window = m.parsed("resetWindow", "whole seconds like 30s, 1m (at least 1s)", LimitsReader::seconds)
                .orElse(d.resetWindow());
        return new Http2Limits(streams, resets, window);
    }

    private static Duration seconds(String text) {
        Duration window = Durations.parsePositive(text);
        if (window.toSeconds() < 1 || window.toSeconds() > 86_400 || window.toMillis() % 1000 != 0) {
            throw new IllegalArgumentException("not whole seconds from 1s to 1d");
        }
        return window;
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
