package dev.wharf.proxy.prewarm;

import dev.wharf.config.PrewarmRule;
import java.time.Instant;
import java.util.Optional;

/**
 * A rule as the scheduler sees it: whether a run is going on, when it runs next (empty: not again until it changes),
 * its last run, when it last ran without failure, and how many runs were skipped because the previous one was still
 * going.
 */
public record RuleStatus(
        PrewarmRule rule,
        boolean running,
        Optional<Instant> next,
        Optional<RunResult> last,
        Optional<Instant> lastSuccess,
        long skipped) {}
