package dev.wharf.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class AsyncAccessLogTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 40000);

    @Test
    void writesOneJsonLinePerEntryWithEveryField(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("access.log");
        Files.writeString(file, "earlier line\n");
        try (AsyncAccessLog log = AsyncAccessLog.toFile(file)) {
            log.record(new AccessLog.Entry(
                    Instant.parse("2026-11-18T04:26:40.123Z").toEpochMilli(),
                    new InetSocketAddress("10.0.0.7", 40312),
                    "GET",
                    "/v2/org/app/manifests/1.0?ns=ghcr.io",
                    "containerd/v2.0.0",
                    200,
                    1234,
                    2_345_678,
                    true));
            log.record(new AccessLog.Entry(
                    Instant.parse("2026-11-18T04:26:41Z").toEpochMilli(),
                    new InetSocketAddress("::1", 40313),
                    "HEAD",
                    "/v2/",
                    "",
                    404,
                    0,
                    7_000,
                    false));
        }

        List<String> lines = Files.readAllLines(file);
        assertEquals(3, lines.size(), "appended to what was there: " + lines);
        assertEquals("earlier line", lines.get(0));
        JsonNode first = JSON.readTree(lines.get(1));
        assertEquals("2026-11-18T04:26:40.123Z", first.get("time").asText());
        assertEquals("10.0.0.7", first.get("remote").asText(), "without the port");
        assertEquals("GET", first.get("method").asText());
        assertEquals("/v2/org/app/manifests/1.0?ns=ghcr.io", first.get("uri").asText());
        assertEquals(200, first.get("status").asInt());
        assertEquals(1234, first.get("bytes").asLong());
        assertEquals("2.345", first.get("ms").asText());
        assertEquals(true, first.get("complete").asBoolean());
        assertEquals("containerd/v2.0.0", first.get("userAgent").asText());
        assertEquals("HTTP/1.1", first.get("protocol").asText());
        JsonNode second = JSON.readTree(lines.get(2));
        assertEquals("2026-11-18T04:26:41.000Z", second.get("time").asText(), "always three fraction digits");
        assertEquals("0.007", second.get("ms").asText());
        assertEquals(false, second.get("complete").asBoolean());
        assertEquals(404, second.get("status").asInt());
        assertEquals("0:0:0:0:0:0:0:1", second.get("remote").asText());
    }

    @Test
    void clientTextCannotSplitOrForgeALine() throws IOException {
        String uri = "/v2/a\"},\n{\"status\":200\r\u0000\u001b[31m\\x/manifests/\u00e9";
        String agent = "evil\nagent\u2028" + "a".repeat(1000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (AsyncAccessLog log = new AsyncAccessLog(out, false, 16)) {
            log.record(new AccessLog.Entry(0, LOOPBACK, "GET", uri, agent, 400, 10, 1, true));
        }

        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(1, text.split("\n", -1).length - 1, "one line: " + text);
        JsonNode entry = JSON.readTree(text);
        assertEquals(uri, entry.get("uri").asText());
        assertEquals(agent.substring(0, 256), entry.get("userAgent").asText(), "a long user agent is cut");
        assertEquals(400, entry.get("status").asInt());
    }

    @Test
    @Timeout(30)
    void aWriterThatFallsBehindCostsDroppedEntriesNotWaiting() throws Exception {
        BlockingStream out = new BlockingStream();
        AsyncAccessLog log = new AsyncAccessLog(out, false, 4);
        log.record(entry(0));
        assertEquals(true, out.writing.await(10, TimeUnit.SECONDS), "the writer is stuck in its first write");

        for (int i = 1; i <= 10; i++) {
            log.record(entry(i));
        }
        assertEquals(6, log.dropped(), "4 entries fit in the queue, the other 6 are dropped");

        out.release.countDown();
        log.close();
        List<Integer> written = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            written.add(JSON.readTree(line).get("status").asInt());
        }
        assertEquals(List.of(200, 201, 202, 203, 204), written);
        log.record(entry(11));
        assertEquals(7, log.dropped(), "an entry recorded after close is dropped");
    }

    @Test
    void closeWritesEverythingRecordedBefore() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AsyncAccessLog log = new AsyncAccessLog(out, false, 1000);
        for (int i = 0; i < 500; i++) {
            log.record(entry(i));
        }
        log.close();

        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(500, lines.length);
        assertEquals(699, JSON.readTree(lines[499]).get("status").asInt());
        assertEquals(0, log.dropped());
    }

    private static AccessLog.Entry entry(int i) {
        return new AccessLog.Entry(0, LOOPBACK, "GET", "/v2/", "", 200 + i, 0, 0, true);
    }

    /** Collects bytes, but its first write waits until released. */
    private static final class BlockingStream extends ByteArrayOutputStream {
        final CountDownLatch writing = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            writing.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            super.write(b, off, len);
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }
    }
}
