package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.lab.ImageSeeder;
import dev.wharf.proxy.lab.RawGet;
import dev.wharf.proxy.lab.RegistryProcess;
import dev.wharf.proxy.lab.RunningWharf;
import dev.wharf.proxy.lab.Samples;
import dev.wharf.storage.Digest;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that stops reading costs Wharf no memory for what it has not read. A slow client (small receive buffer)
 * reads the first 64 KiB of a cold 64 MiB layer and stops; a fast client reads the whole layer meanwhile. While the
 * slow client still has about 64 MiB to come, the layer is stored after one upstream GET, and Wharf's direct memory
 * and the JVM's live byte arrays are far below that; then the slow client reads the rest at its own pace, from disk.
 */
@Timeout(120)
class SlowReaderMemoryIT {
    private static final String UPSTREAM = "up.test";
    private static final String REPOSITORY = "org/huge";
    private static final long MIB = 1024 * 1024;
    private static final long LAYER_BYTES = 64 * MIB;
    private static final int SLOW_RECEIVE_BUFFER = 16 * 1024;
    private static final int SLOW_FIRST_READ = 64 * 1024;
    /**
     * Measured with the slow client stalled, as growth over what the JVM held before: Netty's allocator 2.4-3.2 MiB
     * (pooled chunks), the JVM's direct total 2.8-3.6 MiB, live byte arrays a few MiB (the whole test JVM held about
     * 17 MiB of them with every integration test's classes loaded). A server that queued the unread bytes in memory fails it: with
     * writability ignored (a write buffer high-water mark of 1 GiB), Netty's direct memory measured 67 MiB. Whatever
     * the kernel's socket buffers hold (a few MiB) is outside every figure checked here.
     */
    private static final double BOUND = 16 * MIB;

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void aStalledClientLeavesItsUnreadBytesOnDiskNotInMemory(@TempDir Path data) throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            String layer = ImageSeeder.of(registry)
                    .seedLarge(REPOSITORY, "1.0", LAYER_BYTES)
                    .blobDigests()
                    .get(1);
            String path = "/v2/" + UPSTREAM + "/" + REPOSITORY + "/blobs/" + layer;
            try (RunningWharf wharf = RunningWharf.start(RunningWharf.singleUpstream(UPSTREAM, registry), data)) {
                registry.clearRequests();
                // Netty's allocator is shared by every Wharf in this JVM and keeps the chunks earlier tests grew its
                // pools to: what counts is what this test adds.
                String before = scrape(wharf);
                double nettyBefore = Samples.value(before, "wharf_netty_direct_memory_used_bytes");
                double jvmDirectBefore = Samples.value(before, "jvm_buffer_memory_used_bytes{id=\"direct\"}");
                long byteArraysBefore = liveByteArrayBytes();
                try (RawGet slow = RawGet.send(wharf.url(), "GET", path, SLOW_RECEIVE_BUFFER)) {
                    assertEquals(200, slow.status());
                    slow.read(SLOW_FIRST_READ);

                    try (RawGet fast = RawGet.send(wharf.url(), "GET", path)) {
                        assertEquals(200, fast.status());
                        fast.readRest();
                        assertEquals(Digest.parse(layer), fast.digest());
                    }
                    // The fast client's last byte left once the layer was verified; it is stored just after.
                    Path stored = RunningWharf.storedBlob(data, Digest.parse(layer));
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (!Files.exists(stored) && System.nanoTime() < deadline) {
                        Thread.sleep(5);
                    }
                    assertEquals(slow.contentLength(), Files.size(stored), "the layer is stored");
                    try (RawGet head = RawGet.send(wharf.url(), "HEAD", path)) {
                        assertEquals(200, head.status());
                        assertEquals(slow.contentLength(), head.contentLength());
                    }
                    assertEquals(1, registry.count("GET", p -> p.endsWith("/blobs/" + layer)), "stored after one GET");

                    long unread = slow.contentLength() - slow.bodyRead();
                    assertTrue(unread > 63 * MIB, "the slow client has not read " + unread + " bytes");
                    String metrics = scrape(wharf);
                    double netty = Samples.value(metrics, "wharf_netty_direct_memory_used_bytes") - nettyBefore;
                    double jvmDirect =
                            Samples.value(metrics, "jvm_buffer_memory_used_bytes{id=\"direct\"}") - jvmDirectBefore;
                    long liveByteArrays = liveByteArrayBytes() - byteArraysBefore;
                    String figures = "netty direct +" + netty + ", jvm direct +" + jvmDirect + ", live byte[] " + "+"
                            + liveByteArrays + " with " + unread + " bytes unread";
                    assertTrue(netty < BOUND, figures);
                    assertTrue(jvmDirect < BOUND, figures);
                    assertTrue(liveByteArrays < BOUND, figures);

                    slow.readRest();
                    assertEquals(Digest.parse(layer), slow.digest());
                }
                assertEquals(1, registry.count("GET", p -> p.endsWith("/blobs/" + layer)));
            }
        }
    }

    private String scrape(RunningWharf wharf) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(wharf.adminUrl().resolve("/metrics"))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        return response.body();
    }

    /**
     * Bytes in live byte arrays of this JVM (Wharf runs in it), from the class histogram of the HotSpot diagnostic
     * command, which runs a full collection first and counts only what is reachable: no waiting on the collector.
     */
    private static long liveByteArrayBytes() throws Exception {
        String histogram = (String) ManagementFactory.getPlatformMBeanServer()
                .invoke(
                        new ObjectName("com.sun.management:type=DiagnosticCommand"),
                        "gcClassHistogram",
                        new Object[] {new String[0]},
                        new String[] {String[].class.getName()});
        // "   3:          1234        5678901  [B (java.base@17.0.15)"
        Optional<Long> bytes = histogram
                .lines()
                .map(String::trim)
                .map(line -> line.split("\\s+"))
                .filter(columns -> columns.length >= 4 && columns[3].equals("[B"))
                .map(columns -> Long.parseLong(columns[2]))
                .findFirst();
        return bytes.orElseThrow(() -> new AssertionError("no byte arrays in:\n" + histogram));
    }
}
