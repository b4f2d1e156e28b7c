package dev.wharf.proxy;

import dev.wharf.proxy.pull.Scheduler;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads the core runs on besides the upstream lanes: storage work (index lookups, file opens; never an
 * upstream call) and one thread that runs re-check deadlines. Closing stops them all.
 */
final class CoreThreads implements AutoCloseable {
    private static final int STORAGE_THREADS = 64;

    private final ExecutorService storage = Threads.bounded("wharf-storage", STORAGE_THREADS);
    private final ScheduledThreadPoolExecutor deadlines =
            new ScheduledThreadPoolExecutor(1, Threads.named("wharf-deadline-"));

    CoreThreads() {
        deadlines.setRemoveOnCancelPolicy(true);
    }

    /** Where store and index work runs. */
    ExecutorService storage() {
        return storage;
    }

    /** Runs deadline actions on the deadline thread. */
    Scheduler deadlines() {
        return (delay, action) -> {
            ScheduledFuture<?> scheduled = deadlines.schedule(action, delay.toNanos(), TimeUnit.NANOSECONDS);
            // Removed from the queue at once (removeOnCancelPolicy), with the answer it would have completed.
            return () -> scheduled.cancel(false);
        };
    }

    @Override
    public void close() {
        deadlines.shutdownNow();
        storage.shutdownNow();
    }
}
