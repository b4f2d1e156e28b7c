package dev.wharf.proxy;

import dev.wharf.config.Defaults;
import dev.wharf.config.WharfConfig;
import dev.wharf.proxy.prewarm.PinStore;
import dev.wharf.proxy.prewarm.PrewarmMetrics;
import dev.wharf.proxy.prewarm.PrewarmPins;
import dev.wharf.proxy.prewarm.PrewarmRunner;
import dev.wharf.proxy.prewarm.PrewarmScheduler;
import dev.wharf.proxy.prewarm.RuleSource;
import dev.wharf.proxy.prewarm.RunListener;
import dev.wharf.proxy.pull.PullThrough;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Prewarm inside {@code serve}: the scheduler, ticked every {@link Defaults#PREWARM_TICK} on a thread of its own, its
 * runs on a pool of {@link Defaults#PREWARM_CONCURRENCY} threads (they wait on upstreams through pull, never on a
 * thread the cache serves from), and the pins the runs record. Closing stops both pools.
 */
final class Prewarming implements AutoCloseable {
    private final PrewarmScheduler scheduler;
    private final PinStore pins;
    private final ScheduledThreadPoolExecutor ticks;
    private final ExecutorService workers;

    private Prewarming(
            PrewarmScheduler scheduler, PinStore pins, ScheduledThreadPoolExecutor ticks, ExecutorService workers) {
        this.scheduler = scheduler;
        this.pins = pins;
        this.ticks = ticks;
        this.workers = workers;
    }

    /** Starts ticking; the first tick (and the start-up runs of due rules) comes at once. */
    static Prewarming start(WharfConfig config, PullThrough pull, Clock clock, MeterRegistry meters) {
        PinStore pins = PinStore.open(config.storage().path());
        PrewarmRunner runner = new PrewarmRunner(pull, pins, clock);
        ExecutorService workers = Threads.bounded("wharf-prewarm", Defaults.PREWARM_CONCURRENCY);
        PrewarmScheduler scheduler = new PrewarmScheduler(
                new RuleSource(config, System.getenv()),
                rule -> runner.run(rule, RunListener.NONE),
                workers,
                Defaults.PREWARM_CONCURRENCY,
                interval -> (long)
                        (ThreadLocalRandom.current().nextDouble() * Defaults.PREWARM_JITTER * interval.toMillis()),
                clock,
                new PrewarmMetrics(meters),
                pins);
        ScheduledThreadPoolExecutor ticks = new ScheduledThreadPoolExecutor(1, Threads.named("wharf-prewarm-tick-"));
        long period = Defaults.PREWARM_TICK.toMillis();
        ticks.scheduleWithFixedDelay(Prewarming.guarded(scheduler), 0, period, TimeUnit.MILLISECONDS);
        return new Prewarming(scheduler, pins, ticks, workers);
    }

    /** A tick that never stops the schedule: a failure (a rule file vanishing mid-read, say) waits for the next. */
    private static Runnable guarded(PrewarmScheduler scheduler) {
        return () -> {
            try {
                scheduler.tick();
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(Prewarming.class).error("prewarm tick failed", e);
            }
        };
    }

    PrewarmScheduler scheduler() {
        return scheduler;
    }

    /** What prewarm keeps, for eviction. */
    PrewarmPins pins() {
        return pins;
    }

    @Override
    public void close() {
        ticks.shutdownNow();
        workers.shutdownNow();
    }
}
