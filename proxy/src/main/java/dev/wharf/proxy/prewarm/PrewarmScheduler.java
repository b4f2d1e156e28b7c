package dev.wharf.proxy.prewarm;

import dev.wharf.config.PrewarmRule;
import dev.wharf.config.PrewarmSchedule;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs prewarm rules when due. Each {@link #tick} re-reads the rules (the configuration's and the rule files': a new
 * or changed rule is due at once, except a cron rule, which waits for its time; a removed rule is forgotten with its
 * pins; a broken file is logged once per change with its path, and the other rules go on), then starts the due rules
 * on {@code workers}: never two runs of one rule at once (a rule due while its run goes on has that run skipped and
 * counted), and never more than {@code concurrency} runs at all (a due rule beyond it waits for a later tick).
 * {@code every} rules run at start, then each interval after a run starts, plus a jitter; {@code once} rules run at
 * start and after each change. Time comes from {@code clock} only; whoever owns the scheduler calls {@link #tick}.
 */
public final class PrewarmScheduler {
    private static final Logger LOG = LoggerFactory.getLogger(PrewarmScheduler.class);

    /** Runs one rule to the end. */
    public interface RuleRunner {
        RunResult run(PrewarmRule rule);
    }

    /** What {@link #runNow} did. */
    public enum Request {
        STARTED_NEXT_TICK,
        ALREADY_RUNNING,
        NO_SUCH_RULE
    }

    private static final class State {
        PrewarmRule rule;
        boolean running;
        Instant next; // null: not again until the rule changes
        RunResult last;
        Instant lastSuccess;
        long skipped;

        State(PrewarmRule rule) {
            this.rule = rule;
        }
    }

    private final Supplier<PrewarmRules> rules;
    private final RuleRunner runner;
    private final Executor workers;
    private final int concurrency;
    private final ToLongFunction<Duration> jitterMillis;
    private final Clock clock;
    private final PrewarmMetrics metrics;
    private final PinStore pins;
    private final Map<String, State> states = new LinkedHashMap<>();
    private List<String> reported = List.of();
    private int running;

    /**
     * {@code jitterMillis} gives the extra delay of an {@code every} rule's next run from its interval; {@code rules}
     * is read at each tick.
     */
    public PrewarmScheduler(
            Supplier<PrewarmRules> rules,
            RuleRunner runner,
            Executor workers,
            int concurrency,
            ToLongFunction<Duration> jitterMillis,
            Clock clock,
            PrewarmMetrics metrics,
            PinStore pins) {
        this.rules = rules;
        this.runner = runner;
        this.workers = workers;
        this.concurrency = concurrency;
        this.jitterMillis = jitterMillis;
        this.clock = clock;
        this.metrics = metrics;
        this.pins = pins;
    }

    /** Takes in rule changes and starts what is due now. */
    public void tick() {
        PrewarmRules current = rules.get();
        Instant now = clock.instant();
        List<State> due = new ArrayList<>();
        synchronized (this) {
            reconcile(current, now);
            for (State state : states.values()) {
                if (state.next != null && !state.next.isAfter(now)) {
                    if (state.running) {
                        state.skipped++;
                        metrics.skipped(state.rule.name());
                        state.next = nextAfter(state.rule, now);
                        LOG.info("prewarm {}: run skipped, the previous run is still going", state.rule.name());
                    } else if (running < concurrency) {
                        state.running = true;
                        running++;
                        state.next = nextAfter(state.rule, now);
                        due.add(state);
                    }
                }
            }
        }
        due.forEach(this::start);
    }

    /** Makes {@code name} due now: it starts at the next tick unless a run of it is going on. */
    public synchronized Request runNow(String name) {
        State state = states.get(name);
        if (state == null) {
            return Request.NO_SUCH_RULE;
        }
        if (state.running) {
            return Request.ALREADY_RUNNING;
        }
        state.next = clock.instant();
        return Request.STARTED_NEXT_TICK;
    }

    /** The rule files' problems as of the last tick, each naming its file. */
    public synchronized List<String> problems() {
        return reported;
    }

    /** Every rule's status, in the order the rules are read. */
    public synchronized List<RuleStatus> status() {
        List<RuleStatus> all = new ArrayList<>();
        for (State s : states.values()) {
            all.add(new RuleStatus(
                    s.rule,
                    s.running,
                    Optional.ofNullable(s.next),
                    Optional.ofNullable(s.last),
                    Optional.ofNullable(s.lastSuccess),
                    s.skipped));
        }
        return all;
    }

    private void reconcile(PrewarmRules current, Instant now) {
        if (!current.problems().equals(reported)) {
            current.problems().forEach(p -> LOG.error("prewarm rule file: {}", p));
            reported = current.problems();
        }
        Set<String> names = new HashSet<>();
        Map<String, State> next = new LinkedHashMap<>();
        for (PrewarmRule rule : current.rules()) {
            names.add(rule.name());
            State state = states.get(rule.name());
            if (state == null) {
                state = new State(rule);
                state.next = firstRun(rule, now);
                metrics.register(rule.name(), () -> lagSeconds(rule.name()));
            } else if (!state.rule.equals(rule)) {
                state.rule = rule;
                state.next = firstRun(rule, now);
                LOG.info("prewarm {}: rule changed", rule.name());
            }
            next.put(rule.name(), state);
        }
        for (String gone : states.keySet()) {
            if (!names.contains(gone)) {
                LOG.info("prewarm {}: rule removed", gone);
                metrics.unregister(gone);
                pins.remove(gone);
            }
        }
        states.clear();
        states.putAll(next);
    }

    private void start(State state) {
        PrewarmRule rule = state.rule;
        try {
            workers.execute(() -> {
                RunResult result = null;
                try {
                    result = runner.run(rule);
                } catch (RuntimeException e) {
                    LOG.error("prewarm {}: run failed", rule.name(), e);
                } finally {
                    finished(state, rule, result);
                }
            });
        } catch (RejectedExecutionException e) {
            finished(state, rule, null);
        }
    }

    private synchronized void finished(State state, PrewarmRule rule, RunResult result) {
        state.running = false;
        running--;
        if (result == null) {
            metrics.failed(rule.name());
            return;
        }
        state.last = result;
        if (!result.failed()) {
            state.lastSuccess = result.finished();
        }
        metrics.ran(result);
        LOG.info(
                "prewarm {}: {} images, {} blobs and {} bytes fetched, {} bytes cached, {} failures",
                rule.name(),
                result.images(),
                result.blobsFetched(),
                result.bytesFetched(),
                result.bytesCached(),
                result.failures().size());
    }

    private synchronized double lagSeconds(String name) {
        State state = states.get(name);
        if (state == null || state.lastSuccess == null) {
            return Double.NaN;
        }
        return Duration.between(state.lastSuccess, clock.instant()).toMillis() / 1000.0;
    }

    private static Instant firstRun(PrewarmRule rule, Instant now) {
        if (rule.schedule() instanceof PrewarmSchedule.Cron cron) {
            return cron.cron().next(now.atZone(ZoneOffset.UTC)).toInstant();
        }
        return now;
    }

    private Instant nextAfter(PrewarmRule rule, Instant start) {
        PrewarmSchedule schedule = rule.schedule();
        if (schedule instanceof PrewarmSchedule.Every every) {
            return start.plus(every.interval()).plusMillis(jitterMillis.applyAsLong(every.interval()));
        }
        if (schedule instanceof PrewarmSchedule.Cron cron) {
            return cron.cron().next(start.atZone(ZoneOffset.UTC)).toInstant();
        }
        return null;
    }
}
