package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.lab.FaultyUpstream;
import dev.wharf.proxy.lab.FaultyUpstream.Fault;
import dev.wharf.proxy.lab.ImageSeeder;
import dev.wharf.proxy.lab.RawGet;
import dev.wharf.proxy.lab.RegistryProcess;
import dev.wharf.proxy.lab.RunningWharf;
import dev.wharf.storage.Digest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many clients of one cold blob at once, through a real Wharf in front of a real registry: one upstream download,
 * which every client joins while it runs. The upstream (a fault-injecting proxy of the registry) sends the layer's
 * first MiB and then holds the rest until every client has its response head and its first bytes, so the clients
 * provably overlap the download rather than finding the blob stored.
 */
@Timeout(120)
class ConcurrentMissIT {
    private static final String UPSTREAM = "up.test";
    private static final String REPOSITORY = "org/big";
    private static final int CLIENTS = 200;
    // 200 clients x 8 MiB is 1.6 GiB through loopback and sha256; twice that takes over ten seconds on two cores.
    private static final long LAYER_BYTES = 8L * 1024 * 1024;
    private static final int SENT_BEFORE_HOLD = 1024 * 1024;
    private static final int READ_WHILE_HELD = 512 * 1024;

    /** What one client got. */
    private record Outcome(int status, long bytes, Digest digest) {}

    @Test
    void concurrentClientsOfAColdBlobJoinOneUpstreamDownload(@TempDir Path data) throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            String layer = ImageSeeder.of(registry)
                    .seedLarge(REPOSITORY, "1.0", LAYER_BYTES)
                    .blobDigests()
                    .get(1);
            try (FaultyUpstream upstream = FaultyUpstream.fronting(registry);
                    RunningWharf wharf = RunningWharf.start(yaml(upstream), data)) {
                CompletableFuture<Void> release = new CompletableFuture<>();
                upstream.inject(Fault.hold(SENT_BEFORE_HOLD, release), path -> path.contains("/blobs/"));
                registry.clearRequests();
                Path stored = RunningWharf.storedBlob(data, Digest.parse(layer));

                Crowd crowd = new Crowd(wharf, "/v2/" + UPSTREAM + "/" + REPOSITORY + "/blobs/" + layer);
                boolean allJoined;
                boolean storedWhileHeld;
                try {
                    allJoined = crowd.awaitFirstBytes();
                    storedWhileHeld = Files.exists(stored);
                } finally {
                    release.complete(null);
                }
                List<Outcome> outcomes = crowd.outcomes();

                assertTrue(allJoined, "every client had its head and first bytes while the upstream held the rest");
                assertFalse(storedWhileHeld, "the layer cannot be stored before the upstream sent it all");
                Map<Outcome, Integer> seen = new HashMap<>();
                outcomes.forEach(o -> seen.merge(o, 1, Integer::sum));
                // The last bytes left once the layer was verified; it is stored just after.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!Files.exists(stored) && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertEquals(Map.of(new Outcome(200, Files.size(stored), Digest.parse(layer)), CLIENTS), seen);
                assertEquals(1, upstream.count("GET", path -> path.endsWith("/blobs/" + layer)));
                assertEquals(1, registry.count("GET", path -> path.endsWith("/blobs/" + layer)));
            }
        }
    }

    /** {@link #CLIENTS} GETs of one path, released together, each on its own thread and socket. */
    private static final class Crowd {
        private final ExecutorService threads = Executors.newFixedThreadPool(CLIENTS);
        private final CountDownLatch firstBytes = new CountDownLatch(CLIENTS);
        private final List<Future<Outcome>> futures = new ArrayList<>();

        Crowd(RunningWharf wharf, String path) throws InterruptedException {
            CountDownLatch ready = new CountDownLatch(CLIENTS);
            CountDownLatch go = new CountDownLatch(1);
            for (int i = 0; i < CLIENTS; i++) {
                futures.add(threads.submit(() -> {
                    ready.countDown();
                    go.await();
                    try (RawGet get = RawGet.send(wharf.url(), "GET", path)) {
                        get.read(READ_WHILE_HELD);
                        firstBytes.countDown();
                        get.readRest();
                        return new Outcome(get.status(), get.bodyRead(), get.digest());
                    }
                }));
            }
            ready.await();
            go.countDown();
        }

        /** Whether every client read its first bytes within the deadline. */
        boolean awaitFirstBytes() throws InterruptedException {
            return firstBytes.await(60, TimeUnit.SECONDS);
        }

        /** Every client's outcome once its body ended; throws the first client's failure. */
        List<Outcome> outcomes() throws Exception {
            try {
                List<Outcome> outcomes = new ArrayList<>();
                for (Future<Outcome> future : futures) {
                    outcomes.add(future.get(60, TimeUnit.SECONDS));
                }
                return outcomes;
            } finally {
                threads.shutdownNow();
            }
        }
    }

    private static String yaml(FaultyUpstream upstream) {
        return "defaultUpstream: " + UPSTREAM + "\nupstreams:\n  - name: " + UPSTREAM + "\n    url: " + upstream.url()
                + "\n";
    }
}
