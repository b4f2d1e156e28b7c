package dev.wharf.proxy.pull;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;

/** A lane whose threads are all busy: work queues and runs, on the test's thread, only when the test says so. */
final class QueuedLane implements Executor {
    private final Queue<Runnable> tasks = new ArrayDeque<>();

    @Override
    public synchronized void execute(Runnable task) {
        tasks.add(task);
    }

    /** Tasks waiting. */
    synchronized int pending() {
        return tasks.size();
    }

    /** Runs the oldest waiting task. */
    void runNext() {
        Runnable next;
        synchronized (this) {
            next = tasks.remove();
        }
        next.run();
    }

    /** Runs waiting tasks, and those they queue, until none is left. */
    void runAll() {
        while (pending() > 0) {
            runNext();
        }
    }
}
