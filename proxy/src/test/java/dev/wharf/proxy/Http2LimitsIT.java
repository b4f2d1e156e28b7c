package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.lab.FaultyUpstream;
import dev.wharf.proxy.lab.FreePort;
import dev.wharf.proxy.lab.H2Client;
import dev.wharf.proxy.lab.ImageFormat;
import dev.wharf.proxy.lab.ImageSeeder;
import dev.wharf.proxy.lab.RegistryProcess;
import dev.wharf.proxy.lab.RunningWharf;
import dev.wharf.proxy.lab.Samples;
import dev.wharf.proxy.lab.SeededImage;
import dev.wharf.proxy.lab.TestCa;
import io.netty.handler.codec.http2.Http2Error;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an HTTP/2 client may hold and do on the TLS listener, with a raw frame client against a real Wharf before the
 * real registry: the configured stream limit is announced in SETTINGS and a stream beyond it is refused; a burst of
 * requests each reset at once (Rapid Reset) gets GOAWAY and the connection closed while another connection goes on
 * being served; a large blob read through a window the client keeps almost shut arrives byte-exact, costs no memory for
 * what is unread, and does not hold up a manifest on another stream of the same connection; a blob whose upstream bytes
 * fail verification while they stream is reset short of its end, never completed.
 */
class Http2LimitsIT {
    private static final String UPSTREAM = "registry.test";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int MAX_STREAMS = 4;
    private static final int MAX_RESETS = 100;
    private static final long MIB = 1024 * 1024;
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    @TempDir
    Path dir;

    private RegistryProcess registry;
    private Path caPem;

    @BeforeEach
    void seed() {
        registry = RegistryProcess.anonymous();
        TestCa ca = TestCa.create("Wharf h2 limits CA");
        caPem = ca.writeCertificate(dir.resolve("ca.pem"));
        ca.issueServer(dir.resolve("tls.crt"), dir.resolve("tls.key"));
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    private RunningWharf wharf() throws InterruptedException {
        return wharf("");
    }

    private RunningWharf wharf(String moreLimits) throws InterruptedException {
        return wharf(moreLimits, MAX_STREAMS);
    }

    private RunningWharf wharf(String moreLimits, int maxStreams) throws InterruptedException {
        String yaml = RunningWharf.singleUpstream(UPSTREAM, registry) + "tlsListen: 127.0.0.1:" + FreePort.find()
                + "\ntls: {certFile: " + dir.resolve("tls.crt") + ", keyFile: " + dir.resolve("tls.key") + "}\n"
                + "limits: {" + moreLimits + "http2: {maxConcurrentStreams: " + maxStreams + ", maxResets: "
                + MAX_RESETS + ", resetWindow: 30s}}\n";
        return RunningWharf.start(yaml, dir.resolve("data"));
    }

    private static int port(RunningWharf wharf) {
        return wharf.wharf().tlsAddress().orElseThrow().getPort();
    }

    @Test
    void streamsBeyondTheAnnouncedLimitAreRefusedAndTheOthersServed() throws Exception {
        SeededImage image = ImageSeeder.of(registry).seedImage("team/app", List.of("1"), ImageFormat.OCI, "amd64", 1);
        String manifest = "/v2/" + UPSTREAM + "/team/app/manifests/1";
        try (RunningWharf wharf = wharf();
                H2Client client = H2Client.connect(caPem, port(wharf), 0)) {
            assertEquals(MAX_STREAMS, client.serverSettings().maxConcurrentStreams(), "announced in SETTINGS");
            // With no window, each answer's HEADERS come and its DATA waits: the streams stay open.
            List<H2Client.Stream> open = new ArrayList<>();
            for (int i = 0; i < MAX_STREAMS; i++) {
                open.add(client.request("GET", manifest, Map.of("accept", OCI_MANIFEST), false));
            }
            for (H2Client.Stream stream : open) {
                assertEquals(200, stream.awaitHeaders(WAIT).status());
                assertFalse(stream.isDone(), "held open by its shut window");
            }
            H2Client.Stream refused = client.request("GET", manifest, Map.of("accept", OCI_MANIFEST), false);
            refused.await(WAIT);
            assertEquals(Http2Error.REFUSED_STREAM.code(), refused.resetCode(), "a stream beyond the limit");
            assertEquals(0, refused.status());

            for (H2Client.Stream stream : open) {
                client.grant(stream, 1024 * 1024);
                stream.await(WAIT);
                assertEquals(image.manifestDigest(), stream.digest());
            }
            H2Client.Stream after = client.request("GET", manifest, Map.of("accept", OCI_MANIFEST), true);
            assertEquals(200, after.await(WAIT).status(), "room again once the others ended");
            assertEquals(image.manifestDigest(), after.digest());
        }
        assertEquals(1, registry.count("GET", p -> p.endsWith("/manifests/1")), "one upstream fetch");
    }

    @Test
    void anOversizedHeaderListGets431AHugeOneOrAConnectionHeaderEndsTheConnection() throws Exception {
        try (RunningWharf wharf = wharf()) {
            try (H2Client client = H2Client.connect(caPem, port(wharf), 65535)) {
                assertEquals(24 * 1024, client.serverSettings().maxHeaderListSize(), "HTTP/1.1's line and headers");
                H2Client.Stream big = client.request("GET", "/v2/", Map.of("x-big", "a".repeat(26 * 1024)), true);
                assertEquals(431, big.await(WAIT).status());
                H2Client.Stream fine = client.request("GET", "/v2/", true);
                assertEquals(200, fine.await(WAIT).status(), "the connection goes on");
                assertEquals("nosniff", fine.header("x-content-type-options"));
            }
            try (H2Client client = H2Client.connect(caPem, port(wharf), 65535)) {
                // Beyond a quarter more than the limit, the decoder stops reading: the connection ends.
                client.request("GET", "/v2/", Map.of("x-huge", "a".repeat(64 * 1024)), true);
                client.awaitGoAway(WAIT);
                assertTrue(client.awaitClosed(WAIT));
            }
            try (H2Client client = H2Client.connect(caPem, port(wharf), 65535)) {
                H2Client.Stream hopByHop = client.request("GET", "/v2/", Map.of("connection", "close"), true);
                assertEquals(
                        Http2Error.PROTOCOL_ERROR.code(), hopByHop.await(WAIT).resetCode());
                assertEquals(0, hopByHop.status(), "never served");
                assertEquals(
                        Http2Error.PROTOCOL_ERROR.code(),
                        client.awaitGoAway(WAIT).errorCode());
                assertTrue(client.awaitClosed(WAIT));
            }
        }
    }

    @Test
    void aRapidResetBurstBeyondTheLimitGetsGoAwayWhileAnotherConnectionIsServed() throws Exception {
        SeededImage image = ImageSeeder.of(registry).seedImage("team/app", List.of("1"), ImageFormat.OCI, "amd64", 1);
        String manifest = "/v2/" + UPSTREAM + "/team/app/manifests/1";
        Map<String, String> accept = Map.of("accept", OCI_MANIFEST);
        // Both clients give no window: every answer waits for one, so each reset reaches a stream still open (a reset
        // of a stream already closed is ignored, and counted by no one).
        try (RunningWharf wharf = wharf();
                H2Client bystander = H2Client.connect(caPem, port(wharf), 0);
                H2Client attacker = H2Client.connect(caPem, port(wharf), 0)) {
            bystander.serverSettings();
            attacker.serverSettings();
            assertEquals(MAX_RESETS, bystander.rapidReset(manifest, accept, MAX_RESETS), "up to the limit");
            attacker.rapidReset(manifest, accept, MAX_RESETS + 1);
            H2Client.GoAway goAway = attacker.awaitGoAway(WAIT);
            assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), goAway.errorCode(), "one reset beyond the limit");
            assertTrue(attacker.awaitClosed(WAIT), "and the connection closed");

            H2Client.Stream served = bystander.request("GET", manifest, accept, true);
            assertEquals(200, served.await(WAIT).status(), "the other connection, at the limit, is still served");
            assertEquals(image.manifestDigest(), served.digest());
            try (H2Client next = H2Client.connect(caPem, port(wharf), 65535)) {
                assertEquals(200, next.request("GET", "/v2/", true).await(WAIT).status(), "so are new ones");
            }
        }
    }

    @Test
    void aLargeBlobFollowsTheClientsWindowWhileAManifestPassesOnTheSameConnection() throws Exception {
        SeededImage image = ImageSeeder.of(registry).seedLarge("team/big", "1", 256 * MIB);
        String layer = image.blobDigests().get(image.blobDigests().size() - 1);
        String blob = "/v2/" + UPSTREAM + "/team/big/blobs/" + layer;
        String manifest = "/v2/" + UPSTREAM + "/team/big/manifests/1";
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (RunningWharf wharf = wharf();
                H2Client client = H2Client.connect(caPem, port(wharf), 0)) {
            H2Client.Stream filling = client.request("GET", blob, true);
            filling.await(Duration.ofMinutes(3));
            assertEquals(200, filling.status(), "streamed while filling");
            long size = Long.parseLong(filling.header("content-length"));
            assertEquals(size, filling.bytes());
            assertEquals(layer, filling.digest());

            double nettyBefore = Samples.value(scrape(http, wharf), "wharf_netty_direct_memory_used_bytes");
            H2Client.Stream slow = client.request("GET", blob, false);
            int window = (int) (8 * MIB);
            client.grant(slow, window);
            assertEquals(window, slow.awaitBytes(window, WAIT), "the first window's worth");
            assertEquals(200, slow.status());
            assertNull(slow.header("connection"), "no connection-specific header on HTTP/2");
            assertEquals("nosniff", slow.header("x-content-type-options"));

            H2Client.Stream other = client.request("GET", manifest, Map.of("accept", image.mediaType()), true);
            other.await(WAIT);
            assertEquals(200, other.status());
            assertEquals(image.manifestDigest(), other.digest(), "a manifest beside the stalled blob");
            H2Client.Stream ranged = client.request("GET", blob, Map.of("range", "bytes=1000-1999"), true);
            ranged.await(WAIT);
            assertEquals(206, ranged.status());
            assertEquals(1000, ranged.bytes());
            assertEquals("bytes 1000-1999/" + size, ranged.header("content-range"));
            H2Client.Stream head = client.request("HEAD", blob, true);
            head.await(WAIT);
            assertEquals(200, head.status());
            assertEquals(String.valueOf(size), head.header("content-length"));
            assertEquals(0, head.bytes());

            assertFalse(slow.isDone());
            assertEquals(window, slow.bytes(), "nothing beyond the window was sent");
            double grown = Samples.value(scrape(http, wharf), "wharf_netty_direct_memory_used_bytes") - nettyBefore;
            // A server ignoring the window would queue the rest of the blob: 248 MiB.
            assertTrue(grown < 32 * MIB, "netty direct memory grew " + grown + " bytes with 248 MiB unread");

            long granted = window;
            while (granted < size) {
                int more = (int) Math.min(16 * MIB, size - granted);
                client.grant(slow, more);
                granted += more;
                assertEquals(granted, slow.awaitBytes(granted, WAIT), "each grant's worth");
            }
            slow.await(WAIT);
            assertEquals(size, slow.bytes());
            assertEquals(layer, slow.digest(), "byte-exact from the cache");
        }
        assertEquals(1, registry.count("GET", p -> p.endsWith("/blobs/" + layer)), "one upstream fetch");
    }

    @Test
    void aHundredStalledStreamsOfACachedBlobPinLittleMemoryAndCompleteOnceTheirWindowsOpen() throws Exception {
        int streams = 100;
        SeededImage image = ImageSeeder.of(registry).seedLarge("team/many", "1", 4 * MIB);
        String layer = image.blobDigests().get(image.blobDigests().size() - 1);
        String blob = "/v2/" + UPSTREAM + "/team/many/blobs/" + layer;
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (RunningWharf wharf = wharf("", streams)) {
            try (H2Client warm = H2Client.connect(caPem, port(wharf), 65535)) {
                assertEquals(layer, warm.request("GET", blob, true).await(WAIT).digest(), "cached first");
            }
            double nettyBefore = Samples.value(scrape(http, wharf), "wharf_netty_direct_memory_used_bytes");
            // A window of one byte per stream: each stream's channel is writable once, so its first chunk is read and
            // written whole into the flow controller, and the next one read ahead; then it waits.
            try (H2Client client = H2Client.connect(caPem, port(wharf), 1)) {
                List<H2Client.Stream> stalled = new ArrayList<>();
                for (int i = 0; i < streams; i++) {
                    stalled.add(client.request("GET", blob, false));
                }
                for (H2Client.Stream stream : stalled) {
                    assertEquals(1, stream.awaitBytes(1, WAIT), "the window's byte");
                    assertEquals(200, stream.status());
                }
                double grown = Samples.value(scrape(http, wharf), "wharf_netty_direct_memory_used_bytes") - nettyBefore;
                // 100 streams x (a 64 KiB chunk queued + one read ahead) = 12.5 MiB, plus the pooled allocator's partly
                // used chunks of each thread that allocated (storage workers, the event loop): 34-40 MB measured. With
                // 1 MiB chunks the same streams pinned 216 MB.
                assertTrue(
                        grown < 64 * MIB, "netty direct memory grew " + grown + " bytes for " + streams + " streams");
                for (H2Client.Stream stream : stalled) {
                    assertFalse(stream.isDone(), "held by its window");
                    client.grant(stream, (int) (8 * MIB));
                }
                for (H2Client.Stream stream : stalled) {
                    stream.await(WAIT);
                    assertEquals(Long.parseLong(stream.header("content-length")), stream.bytes());
                    assertEquals(layer, stream.digest(), "byte-exact from the cache");
                }
            }
        }
        assertEquals(1, registry.count("GET", p -> p.endsWith("/blobs/" + layer)), "one upstream fetch");
    }

    @Test
    void aConnectionWithNoStreamOpenIsClosedAfterTheHeaderTimeout() throws Exception {
        SeededImage image = ImageSeeder.of(registry).seedImage("team/app", List.of("1"), ImageFormat.OCI, "amd64", 1);
        String manifest = "/v2/" + UPSTREAM + "/team/app/manifests/1";
        try (RunningWharf wharf = wharf("headerTimeout: 1s, ");
                H2Client client = H2Client.connect(caPem, port(wharf), 0)) {
            H2Client.Stream held = client.request("GET", manifest, Map.of("accept", OCI_MANIFEST), false);
            assertEquals(200, held.awaitHeaders(WAIT).status());
            assertFalse(client.awaitClosed(Duration.ofMillis(2500)), "an open stream keeps the connection");
            client.grant(held, 1024 * 1024);
            assertEquals(image.manifestDigest(), held.await(WAIT).digest());
            H2Client.GoAway goAway = client.awaitGoAway(WAIT);
            assertEquals(Http2Error.NO_ERROR.code(), goAway.errorCode());
            assertEquals(held.id(), goAway.lastStreamId());
            assertTrue(client.awaitClosed(WAIT), "closed once no stream was open for the header timeout");
        }
    }

    @Test
    void aConnectionPassingNoBytesIsClosedAfterTheIdleTimeoutEvenWithAStreamOpen() throws Exception {
        ImageSeeder.of(registry).seedImage("team/app", List.of("1"), ImageFormat.OCI, "amd64", 1);
        String manifest = "/v2/" + UPSTREAM + "/team/app/manifests/1";
        try (RunningWharf wharf = wharf("idleTimeout: 1s, ");
                H2Client client = H2Client.connect(caPem, port(wharf), 0)) {
            // The answer waits for a window the client never gives: no bytes either way from then on.
            H2Client.Stream held = client.request("GET", manifest, Map.of("accept", OCI_MANIFEST), false);
            assertEquals(200, held.awaitHeaders(WAIT).status());
            assertTrue(client.awaitClosed(WAIT), "closed by the idle timeout");
            assertTrue(held.await(WAIT).isDone(), "ended with the connection");
            assertEquals(0, held.bytes());
        }
    }

    @Test
    void pingsDoNotKeepAConnectionWhoseStreamMakesNoProgressPastTheIdleTimeout() throws Exception {
        ImageSeeder.of(registry).seedImage("team/app", List.of("1"), ImageFormat.OCI, "amd64", 1);
        String manifest = "/v2/" + UPSTREAM + "/team/app/manifests/1";
        try (RunningWharf wharf = wharf("idleTimeout: 1s, ");
                H2Client client = H2Client.connect(caPem, port(wharf), 0)) {
            H2Client.Stream held = client.request("GET", manifest, Map.of("accept", OCI_MANIFEST), false);
            assertEquals(200, held.awaitHeaders(WAIT).status());
            // A PING every 200 ms passes bytes far more often than the idle timeout; the stream's answer never moves.
            long started = System.nanoTime();
            boolean closed = false;
            while (!closed
                    && System.nanoTime() - started < Duration.ofSeconds(20).toNanos()) {
                client.ping();
                closed = client.awaitClosed(Duration.ofMillis(200));
            }
            assertTrue(closed, "closed by the idle timeout despite " + client.pingAcks() + " PINGs answered");
            assertTrue(client.pingAcks() > 0, "the PINGs were answered while it was open");
            assertEquals(0, held.bytes());
        }
    }

    @Test
    void aBlobFailingVerificationWhileItStreamsIsResetNeverCompleted() throws Exception {
        // Large enough that its first bytes, and the status with them, go out long before its last is verified.
        SeededImage image = ImageSeeder.of(registry).seedLarge("team/bad", "1", 32 * MIB);
        String layer = image.blobDigests().get(image.blobDigests().size() - 1);
        String blob = "/v2/" + UPSTREAM + "/team/bad/blobs/" + layer;
        try (FaultyUpstream faulty = FaultyUpstream.fronting(registry)) {
            String yaml = "defaultUpstream: " + UPSTREAM + "\nupstreams:\n  - name: " + UPSTREAM + "\n    url: "
                    + faulty.url() + "\ntlsListen: 127.0.0.1:" + FreePort.find() + "\ntls: {certFile: "
                    + dir.resolve("tls.crt") + ", keyFile: " + dir.resolve("tls.key") + "}\n";
            try (RunningWharf wharf = RunningWharf.start(yaml, dir.resolve("data"));
                    H2Client client = H2Client.connect(caPem, port(wharf), 65535)) {
                faulty.inject(FaultyUpstream.Fault.wrongBytes(), p -> p.contains("/blobs/"));
                H2Client.Stream lied = client.request("GET", blob, true);
                lied.await(WAIT);
                assertEquals(200, lied.status(), "the status went out with the first byte");
                long size = Long.parseLong(lied.header("content-length"));
                assertTrue(lied.resetCode() >= 0, "reset, not ended: " + lied.resetCode());
                assertTrue(lied.bytes() < size, lied.bytes() + " of " + size + " bytes");

                faulty.heal();
                H2Client.Stream healed = client.request("GET", blob, true);
                healed.await(WAIT);
                assertEquals(200, healed.status(), "the connection goes on");
                assertEquals(layer, healed.digest(), "nothing of the lie was kept");
            }
        }
    }

    private static String scrape(HttpClient http, RunningWharf wharf) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(wharf.adminUrl().resolve("/metrics"))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        return response.body();
    }
}
