package dev.wharf.proxy.http;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes access log entries as JSON lines on a thread of its own. The event loops only offer entries to a bounded
 * queue: when the writer falls behind (a slow disk, a blocked pipe) and the queue is full, entries are dropped and
 * counted ({@link #dropped()}), never waited for. The writer flushes whenever it finds the queue empty, so a line
 * appears within some 10 ms of its request. Client-supplied text (the URI, the user agent) is JSON-escaped, so no
 * request can forge or split a line.
 */
public final class AsyncAccessLog implements AccessLog, AutoCloseable {
    static final int QUEUE_ENTRIES = 16_384;
    private static final int BATCH = 512;
    private static final long NAP_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final int MAX_USER_AGENT = 256;
    // Always three fraction digits (Instant.toString drops them when they are zero), so lines sort as text.
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSX").withZone(ZoneOffset.UTC);
    private static final Logger LOG = LoggerFactory.getLogger(AsyncAccessLog.class);

    private final BlockingQueue<Entry> queue;
    private final Writer out;
    private final boolean closeOut;
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;
    private volatile boolean closing;

    AsyncAccessLog(OutputStream out, boolean closeOut, int capacity) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.out = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 64 * 1024);
        this.closeOut = closeOut;
        this.writer = new Thread(this::drain, "wharf-access-log");
        writer.setDaemon(true);
        writer.start();
    }

    /** Appends to {@code file}, creating it if needed; throws {@link UncheckedIOException} when it cannot be opened. */
    public static AsyncAccessLog toFile(Path file) {
        try {
            OutputStream out = Files.newOutputStream(
                    file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
            return new AsyncAccessLog(out, true, QUEUE_ENTRIES);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the access log " + file, e);
        }
    }

    /** Writes to standard output, which stays open when this log closes. */
    public static AsyncAccessLog toStdout() {
        return new AsyncAccessLog(System.out, false, QUEUE_ENTRIES);
    }

    @Override
    public void record(Entry entry) {
        if (closing || !queue.offer(entry)) {
            dropped.incrementAndGet();
        }
    }

    /** How many entries were not written because the queue was full or the log closing. */
    public long dropped() {
        return dropped.get();
    }

    /** Writes what is queued, flushes, and stops the writer; entries recorded afterwards are dropped. */
    @Override
    public void close() {
        closing = true;
        try {
            writer.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (closeOut) {
                out.close();
            } else {
                out.flush();
            }
        } catch (IOException e) {
            LOG.warn("cannot close the access log: {}", e.getMessage());
        }
    }

    // Never interrupted: an interrupt would close a file channel under the writer. It never waits on the queue
    // either, but naps when it finds it empty: so the event loops never have a sleeping writer to wake, which would
    // cost them a system call per entry.
    private void drain() {
        List<Entry> batch = new ArrayList<>(BATCH);
        StringBuilder line = new StringBuilder(256);
        boolean failing = false;
        while (true) {
            try {
                if (queue.drainTo(batch, BATCH) == 0) {
                    out.flush();
                    if (closing && queue.isEmpty()) {
                        return;
                    }
                    LockSupport.parkNanos(NAP_NANOS);
                    continue;
                }
                for (Entry entry : batch) {
                    line.setLength(0);
                    format(entry, line);
                    out.append(line);
                }
                failing = false;
            } catch (IOException e) {
                if (!failing) {
                    LOG.warn("cannot write the access log: {}", e.getMessage());
                    failing = true;
                }
            } finally {
                batch.clear();
            }
        }
    }

    /**
     * One JSON object and a newline: time, remote, method, uri, status, bytes, ms, complete, userAgent, upstream,
     * repository, cache, protocol.
     */
    static void format(Entry e, StringBuilder out) {
        out.append("{\"time\":\"");
        TIME.formatTo(Instant.ofEpochMilli(e.epochMillis()), out);
        out.append('"');
        out.append(",\"remote\":");
        string(host(e.remote()), Integer.MAX_VALUE, out);
        out.append(",\"method\":");
        string(e.method(), Integer.MAX_VALUE, out);
        out.append(",\"uri\":");
        string(e.uri(), Integer.MAX_VALUE, out);
        out.append(",\"status\":").append(e.status());
        out.append(",\"bytes\":").append(e.bytes());
        long micros = TimeUnit.NANOSECONDS.toMicros(e.nanos());
        out.append(",\"ms\":").append(micros / 1000).append('.');
        long fraction = micros % 1000;
        if (fraction < 100) {
            out.append(fraction < 10 ? "00" : "0");
        }
        out.append(fraction);
        out.append(",\"complete\":").append(e.complete());
        out.append(",\"userAgent\":");
        string(e.userAgent(), MAX_USER_AGENT, out);
        out.append(",\"upstream\":");
        string(e.upstream(), Integer.MAX_VALUE, out);
        out.append(",\"repository\":");
        string(e.repository(), Integer.MAX_VALUE, out);
        out.append(",\"cache\":");
        string(e.cache(), Integer.MAX_VALUE, out);
        out.append(",\"protocol\":");
        string(e.protocol(), Integer.MAX_VALUE, out);
        out.append("}\n");
    }

    private static String host(SocketAddress remote) {
        return remote instanceof InetSocketAddress address && address.getAddress() != null
                ? address.getAddress().getHostAddress()
                : String.valueOf(remote);
    }

    /** {@code value} as a JSON string, cut after {@code limit} characters; control characters are escaped. */
    private static void string(String value, int limit, StringBuilder out) {
        out.append('"');
        int end = Math.min(value.length(), limit);
        for (int i = 0; i < end; i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f || c == 0x2028 || c == 0x2029) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }
}
