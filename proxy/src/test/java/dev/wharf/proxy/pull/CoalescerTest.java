package dev.wharf.proxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class CoalescerTest {
    private final Coalescer<String, Object> coalescer = new Coalescer<>();
    private final QueuedLane lane = new QueuedLane();
    private final AtomicInteger runs = new AtomicInteger();

    @Test
    void callersThatArriveBeforeTheWorkRunsShareOneRunAndItsValue() throws Exception {
        Object value = new Object();
        List<CompletableFuture<Object>> callers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            callers.add(coalescer.run("k", lane, () -> {
                runs.incrementAndGet();
                return value;
            }));
        }
        assertEquals(1, lane.pending(), "one run queued for eight callers");
        assertFalse(callers.get(7).isDone());

        lane.runNext();

        for (CompletableFuture<Object> caller : callers) {
            assertSame(value, caller.get(10, TimeUnit.SECONDS));
        }
        assertEquals(1, runs.get());
        assertEquals(0, coalescer.inFlight());
    }

    @Test
    void everyWaiterSeesTheSameFailureAndTheNextCallRunsAnew() throws Exception {
        IllegalStateException boom = new IllegalStateException("boom");
        CompletableFuture<Object> first = coalescer.run("k", lane, () -> {
            throw boom;
        });
        CompletableFuture<Object> second = coalescer.run("k", lane, () -> "second run");
        lane.runNext();

        assertSame(boom, assertThrows(ExecutionException.class, first::get).getCause());
        assertSame(boom, assertThrows(ExecutionException.class, second::get).getCause(), "shared, not run again");
        assertEquals(0, lane.pending());

        CompletableFuture<Object> third = coalescer.run("k", lane, () -> "third");
        lane.runNext();
        assertEquals("third", third.get(10, TimeUnit.SECONDS));
    }

    @Test
    void workThatEveryCallerGaveUpOnBeforeItStartedNeverRuns() {
        CompletableFuture<Object> a = coalescer.run("k", lane, runs::incrementAndGet);
        CompletableFuture<Object> b = coalescer.run("k", lane, runs::incrementAndGet);
        a.cancel(false);
        b.cancel(false);

        lane.runNext();

        assertEquals(0, runs.get(), "nobody waited: the work was skipped");
        assertEquals(0, coalescer.inFlight());
        CompletableFuture<Object> later = coalescer.run("k", lane, runs::incrementAndGet);
        lane.runNext();
        assertEquals(1, later.join(), "a later caller runs it anew");
    }

    @Test
    void workRunsWhileOneCallerStillWaitsAndThatCallerGetsItsValue() {
        CompletableFuture<Object> gone = coalescer.run("k", lane, runs::incrementAndGet);
        CompletableFuture<Object> waiting = coalescer.run("k", lane, runs::incrementAndGet);
        gone.cancel(false);

        lane.runNext();

        assertEquals(1, waiting.join());
        assertTrue(gone.isCancelled());
        assertThrows(CancellationException.class, gone::join);
    }

    @Test
    void aCallerThatLeavesAfterTheWorkStartedDoesNotStopIt() throws Exception {
        AtomicReference<CompletableFuture<Object>> caller = new AtomicReference<>();
        caller.set(coalescer.run("k", lane, () -> {
            caller.get().cancel(false);
            return runs.incrementAndGet();
        }));
        CompletableFuture<Object> joiner = coalescer.run("k", lane, runs::incrementAndGet);

        lane.runNext();

        assertEquals(1, runs.get());
        assertEquals(1, joiner.get(10, TimeUnit.SECONDS));
    }
}
