package dev.wharf.proxy.pull;

import dev.wharf.config.Defaults;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * How the pull-through cache treats tags: how long each stays fresh ({@code freshness}), how long its last manifest
 * may be served while the upstream fails ({@code maxStale}), how long a client waits for a due re-check before the
 * cached manifest is served stale ({@code recheckDeadline}), what a tag the upstream dropped becomes ({@code
 * goneTags}), when stale tags are served without asking ({@code budget}); the {@code clock} it reads and the {@code
 * scheduler} its deadlines run on; {@code uses} hears of every manifest and blob handed out.
 */
public record PullSettings(
        FreshnessPolicy freshness,
        Duration maxStale,
        Duration recheckDeadline,
        GoneTags goneTags,
        RateBudget budget,
        Clock clock,
        Scheduler scheduler,
        ServedDigests uses) {
    public PullSettings {
        Objects.requireNonNull(uses, "uses");
        Objects.requireNonNull(freshness, "freshness");
        Objects.requireNonNull(maxStale, "maxStale");
        Objects.requireNonNull(recheckDeadline, "recheckDeadline");
        Objects.requireNonNull(goneTags, "goneTags");
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(scheduler, "scheduler");
        if (maxStale.isNegative() || recheckDeadline.isNegative()) {
            throw new IllegalArgumentException("maxStale and recheckDeadline must not be negative");
        }
    }

    /** The built-in max stale and re-check deadline, gone tags served, no rate budget consulted. */
    public static PullSettings of(FreshnessPolicy freshness, Clock clock, Scheduler scheduler) {
        return new PullSettings(
                freshness,
                Defaults.MAX_STALE,
                Defaults.RECHECK_DEADLINE,
                GoneTags.SERVE,
                RateBudget.UNLIMITED,
                clock,
                scheduler,
                ServedDigests.NONE);
    }

    /** These settings telling {@code value} of what is handed out. */
    public PullSettings withUses(ServedDigests value) {
        return new PullSettings(freshness, maxStale, recheckDeadline, goneTags, budget, clock, scheduler, value);
    }

    /** These settings with another max stale. */
    public PullSettings withMaxStale(Duration value) {
        return new PullSettings(freshness, value, recheckDeadline, goneTags, budget, clock, scheduler, uses);
    }

    /** These settings with another re-check deadline. */
    public PullSettings withRecheckDeadline(Duration value) {
        return new PullSettings(freshness, maxStale, value, goneTags, budget, clock, scheduler, uses);
    }

    /** These settings with another treatment of gone tags and rate budget. */
    public PullSettings withTagPolicy(GoneTags gone, RateBudget rateBudget) {
        return new PullSettings(freshness, maxStale, recheckDeadline, gone, rateBudget, clock, scheduler, uses);
    }
}
