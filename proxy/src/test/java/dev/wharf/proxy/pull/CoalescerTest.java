package dev.wharf.proxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CoalescerTest {
    private final ExecutorService pool = Executors.newFixedThreadPool(8);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void concurrentCallersShareOneRunAndItsValue() throws Exception {
        Coalescer<String, Object> coalescer = new Coalescer<>();
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Object value = new Object();
        Future<Object> first = pool.submit(() -> coalescer.run("k", () -> {
            runs.incrementAndGet();
            started.countDown();
            await(release);
            return value;
        }));
        started.await(10, TimeUnit.SECONDS);
        List<Thread> waiting = new CopyOnWriteArrayList<>();
        List<Future<Object>> joiners = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            joiners.add(pool.submit(() -> {
                waiting.add(Thread.currentThread());
                return coalescer.run("k", () -> {
                    runs.incrementAndGet();
                    return new Object();
                });
            }));
        }
        // Release the first run only once every joiner is parked waiting for it.
        while (waiting.size() < 7 || !waiting.stream().allMatch(t -> t.getState() == Thread.State.WAITING)) {
            Thread.onSpinWait();
        }
        release.countDown();
        assertSame(value, first.get(10, TimeUnit.SECONDS));
        for (Future<Object> joiner : joiners) {
            assertSame(value, joiner.get(10, TimeUnit.SECONDS));
        }
        assertEquals(1, runs.get());
        assertEquals(0, coalescer.inFlight());
    }

    @Test
    void everyWaiterSeesTheSameFailureAndTheNextCallRunsAnew() throws Exception {
        Coalescer<String, String> coalescer = new Coalescer<>();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        IllegalStateException boom = new IllegalStateException("boom");
        Future<String> first = pool.submit(() -> coalescer.run("k", () -> {
            started.countDown();
            await(release);
            throw boom;
        }));
        started.await(10, TimeUnit.SECONDS);
        List<Thread> waiting = new CopyOnWriteArrayList<>();
        Future<Throwable> joiner = pool.submit(() -> {
            waiting.add(Thread.currentThread());
            try {
                coalescer.run("k", () -> "second run");
                return null;
            } catch (IllegalStateException e) {
                return e;
            }
        });
        while (waiting.isEmpty() || waiting.get(0).getState() != Thread.State.WAITING) {
            Thread.onSpinWait();
        }
        release.countDown();
        Throwable seen = assertThrows(Exception.class, () -> first.get(10, TimeUnit.SECONDS))
                .getCause();
        assertSame(boom, seen);
        assertSame(boom, joiner.get(10, TimeUnit.SECONDS), "the waiter shares the failure, it does not run again");
        assertEquals("third", coalescer.run("k", () -> "third"));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
