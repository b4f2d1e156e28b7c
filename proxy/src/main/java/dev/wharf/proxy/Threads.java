package dev.wharf.proxy;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The thread pools Wharf makes: bounded, named, daemon threads; their owners close them. */
final class Threads {
    private static final long IDLE_SECONDS = 60;

    private Threads() {}

    /** At most {@code threads} threads, idle ones ending after a minute; work beyond them queues in order. */
    static ThreadPoolExecutor bounded(String name, int threads) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(
                threads, threads, IDLE_SECONDS, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), named(name + "-"));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** Daemon threads named {@code prefix} and a number, so an unfinished task never holds the process up. */
    static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
