package dev.wharf.proxy.upstream;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/** The body watchdog registry clients under test share: one daemon thread for the whole test run. */
final class TestWatchdog {
    static final ScheduledExecutorService SHARED = create();

    private TestWatchdog() {}

    private static ScheduledExecutorService create() {
        ScheduledThreadPoolExecutor watchdog = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "test-body-watchdog");
            thread.setDaemon(true);
            return thread;
        });
        watchdog.setRemoveOnCancelPolicy(true);
        return watchdog;
    }
}
