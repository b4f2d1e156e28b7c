package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.lab.ImageFormat;
import dev.wharf.proxy.lab.ImageSeeder;
import dev.wharf.proxy.lab.LocalClient;
import dev.wharf.proxy.lab.RegistryProcess;
import dev.wharf.proxy.lab.RunningWharf;
import dev.wharf.proxy.lab.SeededImage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile connection patterns against a real Wharf with a real upstream: slow-header clients (slowloris), too many
 * connections from one address and in all, and too many pipelined requests; a normal client pulling a cached
 * manifest from another address meanwhile.
 */
class SlowClientsIT {
    private static final int ATTACKERS = 600;
    private static final long HEADER_TIMEOUT_MILLIS = 2_000;
    private static final LocalClient NORMAL = LocalClient.from(2);

    @Test
    void slowHeaderClientsAreCutOffWhileACachedManifestKeepsAnswering(@TempDir Path data) throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            SeededImage image = seed(registry);
            String limits = "limits: {headerTimeout: 2s, maxConnections: 2000, maxConnectionsPerAddress: 300}\n";
            try (RunningWharf wharf =
                    RunningWharf.start(RunningWharf.singleUpstream("up.test", registry) + limits, data)) {
                String manifest = "/v2/library/alpine/manifests/" + image.manifestDigest();
                assertEquals(200, LocalClient.status(NORMAL.get(wharf.url(), manifest)));
                List<Long> before = latencies(wharf.url(), manifest, 50);

                AtomicBoolean attacking = new AtomicBoolean(true);
                CompletableFuture<List<Long>> during =
                        CompletableFuture.supplyAsync(() -> latenciesWhile(wharf.url(), manifest, attacking));
                List<Closed> closed;
                try {
                    closed = slowloris(wharf.url(), ATTACKERS);
                } finally {
                    attacking.set(false);
                }
                List<Long> duringAttack = during.get();

                long latest =
                        closed.stream().mapToLong(Closed::afterMillis).max().orElseThrow();
                long with408 = closed.stream()
                        .filter(c -> c.answer().startsWith("HTTP/1.1 408"))
                        .count();
                System.out.printf(
                        "slowloris: %d connections, all closed, latest after %d ms (header timeout %d ms), %d with 408%n",
                        closed.size(), latest, HEADER_TIMEOUT_MILLIS, with408);
                System.out.printf(
                        "cached manifest GET (new connection each): before %s; during the attack %s%n",
                        summary(before), summary(duringAttack));
                assertEquals(ATTACKERS, closed.size());
                assertTrue(latest < HEADER_TIMEOUT_MILLIS + 1_500, "latest close after " + latest + " ms");
                assertEquals(ATTACKERS, with408, "every slow client that sent part of a head gets 408");
                assertTrue(duringAttack.size() >= 5, "normal requests during the attack: " + duringAttack.size());
                assertTrue(percentile(duringAttack, 99) < 2_000_000_000L, "p99 " + summary(duringAttack));
                // The attack is over: the listener serves as before.
                assertEquals(200, LocalClient.status(NORMAL.get(wharf.url(), manifest)));
            }
        }
    }

    @Test
    void connectionLimitsHoldAndRecoverAfterTheClientsGo(@TempDir Path data) throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            SeededImage image = seed(registry);
            String limits = "limits: {maxConnections: 500, maxConnectionsPerAddress: 300}\n";
            try (RunningWharf wharf =
                    RunningWharf.start(RunningWharf.singleUpstream("up.test", registry) + limits, data)) {
                String manifest = "/v2/library/alpine/manifests/" + image.manifestDigest();
                assertEquals(200, LocalClient.status(NORMAL.get(wharf.url(), manifest)));
                List<SocketChannel> held = new ArrayList<>();
                try {
                    Outcome sameAddress = open(wharf.url(), LocalClient.from(20), 400, held);
                    assertEquals(300, sameAddress.admitted(), sameAddress.toString());
                    assertEquals(100, sameAddress.refused429(), sameAddress.toString());

                    Outcome total = open(wharf.url(), LocalClient.from(21), 300, held);
                    assertEquals(200, total.admitted(), total.toString());
                    assertEquals(100, total.refused503(), total.toString());
                    String refused = NORMAL.get(wharf.url(), manifest);
                    assertEquals(503, LocalClient.status(refused));
                    assertTrue(refused.contains("\"code\":\"UNAVAILABLE\""), refused);
                    assertTrue(refused.contains("X-Content-Type-Options: nosniff"), refused);
                    System.out.printf("limits: %s; %s; a normal client then got 503%n", sameAddress, total);
                } finally {
                    for (SocketChannel socket : held) {
                        socket.close();
                    }
                }
                long closedAt = System.nanoTime();
                int status;
                do {
                    status = LocalClient.status(NORMAL.get(wharf.url(), manifest));
                } while (status != 200 && System.nanoTime() - closedAt < 5_000_000_000L);
                assertEquals(200, status);
                System.out.printf(
                        "limits: serving again %d ms after the clients closed%n",
                        (System.nanoTime() - closedAt) / 1_000_000);
                List<SocketChannel> again = new ArrayList<>();
                try {
                    Outcome recovered = open(wharf.url(), LocalClient.from(20), 300, again);
                    assertEquals(300, recovered.admitted(), recovered.toString());
                } finally {
                    for (SocketChannel socket : again) {
                        socket.close();
                    }
                }
            }
        }
    }

    @Test
    void requestsPipelinedBeyondTheLimitAreAnswered429(@TempDir Path data) throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            String limits = "limits: {maxPipelined: 4}\n";
            try (RunningWharf wharf =
                    RunningWharf.start(RunningWharf.singleUpstream("up.test", registry) + limits, data)) {
                String one = "GET /v2/ HTTP/1.1\r\nHost: wharf\r\n\r\n";
                String answer = NORMAL.exchange(wharf.url(), one.repeat(10));

                List<Integer> statuses = statuses(answer);
                assertEquals(List.of(200, 200, 200, 200, 429), statuses, answer);
                assertTrue(answer.contains("\"code\":\"TOOMANYREQUESTS\""), answer);
                assertEquals(
                        List.of(200, 200, 200, 200),
                        statuses(NORMAL.exchange(
                                wharf.url(),
                                one.repeat(3) + "GET /v2/ HTTP/1.1\r\nHost: wharf\r\nConnection: close\r\n\r\n")));
            }
        }
    }

    private static SeededImage seed(RegistryProcess registry) {
        return ImageSeeder.of(registry).seedImage("library/alpine", List.of("3.19"), ImageFormat.DOCKER, "amd64", 1);
    }

    /** What happened to connections opened from one address: kept open, or answered and closed at once. */
    record Outcome(int admitted, int refused429, int refused503) {}

    /**
     * Opens {@code n} connections from {@code client} and sorts them: answered and closed at once (refused), or still
     * silent once nothing more has arrived for 500 ms (admitted; the header timeout is far longer).
     */
    private static Outcome open(URI server, LocalClient client, int n, List<SocketChannel> held) throws IOException {
        int r429 = 0;
        int r503 = 0;
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < n; i++) {
                SocketChannel channel = SocketChannel.open();
                held.add(channel);
                channel.bind(new InetSocketAddress(client.source(), 0));
                channel.connect(new InetSocketAddress(server.getHost(), server.getPort()));
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_READ, new StringBuilder());
            }
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            long quietSince = System.nanoTime();
            while (System.nanoTime() - quietSince < 500_000_000L) {
                if (selector.select(100) == 0) {
                    continue;
                }
                quietSince = System.nanoTime();
                for (SelectionKey key : selector.selectedKeys()) {
                    StringBuilder answer = (StringBuilder) key.attachment();
                    buffer.clear();
                    int read = ((SocketChannel) key.channel()).read(buffer);
                    if (read > 0) {
                        answer.append(new String(buffer.array(), 0, read, StandardCharsets.ISO_8859_1));
                    } else if (read < 0) {
                        key.cancel();
                        int status = LocalClient.status(answer.toString());
                        if (status == 429) {
                            r429++;
                        } else if (status == 503) {
                            r503++;
                        } else {
                            throw new AssertionError("unexpected answer: " + answer);
                        }
                    }
                }
                selector.selectedKeys().clear();
            }
        }
        return new Outcome(n - r429 - r503, r429, r503);
    }

    /** One slow-header connection's end: when (after it connected) and what it was answered. */
    record Closed(long afterMillis, String answer) {}

    /**
     * Opens {@code n} connections from three loopback addresses, each sending a request line and then one header byte
     * every 500 ms, and waits (at most 30 s) until the server has closed every one.
     */
    private static List<Closed> slowloris(URI server, int n) throws IOException {
        List<Closed> closed = Collections.synchronizedList(new ArrayList<>());
        try (Selector selector = Selector.open()) {
            List<SocketChannel> channels = new ArrayList<>();
            try {
                for (int i = 0; i < n; i++) {
                    SocketChannel channel = SocketChannel.open();
                    channels.add(channel);
                    channel.bind(
                            new InetSocketAddress(LocalClient.from(10 + i % 3).source(), 0));
                    channel.connect(new InetSocketAddress(server.getHost(), server.getPort()));
                    channel.write(ByteBuffer.wrap(
                            "GET /v2/ HTTP/1.1\r\nHost: wharf\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII)));
                    channel.configureBlocking(false);
                    channel.register(selector, SelectionKey.OP_READ, new long[] {System.nanoTime()});
                }
                long deadline = System.nanoTime() + 30_000_000_000L;
                long nextDrip = System.nanoTime();
                ByteBuffer buffer = ByteBuffer.allocate(4096);
                while (closed.size() < n && System.nanoTime() < deadline) {
                    selector.select(100);
                    for (SelectionKey key : selector.selectedKeys()) {
                        SocketChannel channel = (SocketChannel) key.channel();
                        StringBuilder got = key.attachment() instanceof long[] ? new StringBuilder() : null;
                        buffer.clear();
                        int read;
                        try {
                            read = channel.read(buffer);
                        } catch (IOException reset) {
                            read = -1;
                        }
                        if (read > 0) {
                            String text = new String(buffer.array(), 0, read, StandardCharsets.ISO_8859_1);
                            Object[] state = key.attachment() instanceof Object[] s
                                    ? s
                                    : new Object[] {((long[]) key.attachment())[0], new StringBuilder()};
                            ((StringBuilder) state[1]).append(text);
                            key.attach(state);
                        } else if (read < 0) {
                            Object a = key.attachment();
                            long connected = a instanceof long[] l ? l[0] : (long) ((Object[]) a)[0];
                            String answer = a instanceof Object[] s ? s[1].toString() : "";
                            closed.add(new Closed((System.nanoTime() - connected) / 1_000_000, answer));
                            key.cancel();
                            channel.close();
                        }
                        if (got != null) {
                            got.setLength(0);
                        }
                    }
                    selector.selectedKeys().clear();
                    if (System.nanoTime() >= nextDrip) {
                        nextDrip = System.nanoTime() + 500_000_000L;
                        for (SocketChannel channel : channels) {
                            if (channel.isOpen()) {
                                try {
                                    channel.write(ByteBuffer.wrap(new byte[] {'a'}));
                                } catch (IOException closedMeanwhile) {
                                    // The read side reports it.
                                }
                            }
                        }
                    }
                }
            } finally {
                for (SocketChannel channel : channels) {
                    channel.close();
                }
            }
        }
        return closed;
    }

    /** Nanoseconds of {@code n} sequential GETs, each on a new connection. */
    private static List<Long> latencies(URI server, String path, int n) throws IOException {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            int status = LocalClient.status(NORMAL.get(server, path));
            out.add(System.nanoTime() - start);
            assertEquals(200, status);
        }
        return out;
    }

    private static List<Long> latenciesWhile(URI server, String path, AtomicBoolean going) {
        List<Long> out = new ArrayList<>();
        try {
            while (going.get()) {
                long start = System.nanoTime();
                int status = LocalClient.status(NORMAL.get(server, path));
                out.add(System.nanoTime() - start);
                assertEquals(200, status);
                Thread.sleep(20);
            }
        } catch (IOException e) {
            throw new AssertionError("a normal request failed during the attack", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }

    private static long percentile(List<Long> nanos, int p) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, sorted.size() * p / 100));
    }

    private static String summary(List<Long> nanos) {
        return String.format(
                "n=%d median %.2f ms, p99 %.2f ms, max %.2f ms",
                nanos.size(), percentile(nanos, 50) / 1e6, percentile(nanos, 99) / 1e6, Collections.max(nanos) / 1e6);
    }

    private static List<Integer> statuses(String answers) {
        List<Integer> out = new ArrayList<>();
        for (int i = answers.indexOf("HTTP/1.1 "); i >= 0; i = answers.indexOf("HTTP/1.1 ", i + 1)) {
            out.add(Integer.parseInt(answers.substring(i + 9, i + 12)));
        }
        return out;
    }
}
