package dev.wharf.proxy.http;

import dev.wharf.config.ServerLimits;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the open client connections of one listener, in all and per client address, and decides whether one more
 * may open. While file descriptors are short ({@link #shed(boolean)}), every new connection is refused. Thread-safe.
 */
final class ConnectionLimiter {
    /** File descriptors kept for what serving needs besides client sockets: blob files, the index, upstreams. */
    static final long DESCRIPTOR_HEADROOM = 256;

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimiter.class);

    /** Why a connection is refused; {@code null} for none. */
    enum Refusal {
        TOTAL,
        PER_ADDRESS,
        SHEDDING
    }

    private final int maxTotal;
    private final int maxPerAddress;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    private volatile boolean shedding;

    ConnectionLimiter(int maxTotal, int maxPerAddress) {
        this.maxTotal = maxTotal;
        this.maxPerAddress = maxPerAddress;
    }

    /**
     * A limiter for {@code limits}, its total lowered when the process's file-descriptor limit could not hold that many
     * connections besides {@link #DESCRIPTOR_HEADROOM} others (logged once).
     */
    static ConnectionLimiter fitting(ServerLimits limits) {
        int total = limits.maxConnections();
        long descriptors = descriptorLimit();
        if (descriptors > 0 && total > descriptors - DESCRIPTOR_HEADROOM) {
            int lowered = (int) Math.max(1, descriptors - DESCRIPTOR_HEADROOM);
            LOG.warn(
                    "limits.maxConnections {} does not fit the file-descriptor limit {}: at most {} client connections",
                    total,
                    descriptors,
                    lowered);
            total = lowered;
        }
        return new ConnectionLimiter(total, Math.min(total, limits.maxConnectionsPerAddress()));
    }

    /** Counts a new connection from {@code address} and returns null, or refuses it (counting nothing). */
    Refusal admit(InetAddress address) {
        if (shedding) {
            return Refusal.SHEDDING;
        }
        if (open.incrementAndGet() > maxTotal) {
            open.decrementAndGet();
            return Refusal.TOTAL;
        }
        AtomicInteger mine = perAddress.computeIfAbsent(address, a -> new AtomicInteger());
        if (mine.incrementAndGet() > maxPerAddress) {
            release(address);
            return Refusal.PER_ADDRESS;
        }
        return null;
    }

    /** Forgets one admitted connection from {@code address}. */
    void release(InetAddress address) {
        open.decrementAndGet();
        perAddress.computeIfPresent(address, (a, count) -> count.decrementAndGet() <= 0 ? null : count);
    }

    /** While {@code on}, every new connection is refused: file descriptors are short. */
    void shed(boolean on) {
        shedding = on;
    }

    int open() {
        return open.get();
    }

    int maxTotal() {
        return maxTotal;
    }

    private static long descriptorLimit() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return unix.getMaxFileDescriptorCount();
        }
        return -1;
    }
}
