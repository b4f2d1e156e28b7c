package dev.wharf.config;

import java.time.Duration;
import java.util.Objects;

/** When a prewarm rule runs: every interval (with jitter), at the times of a cron expression, or once. */
public sealed interface PrewarmSchedule {
    /** Every {@code interval} (positive), the first run at start-up, each next one moved by up to the jitter. */
    record Every(Duration interval) implements PrewarmSchedule {
        public Every {
            if (interval == null || interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("interval must be positive");
            }
        }
    }

    /** At each time {@code cron} names (UTC). */
    record Cron(CronSchedule cron) implements PrewarmSchedule {
        public Cron {
            Objects.requireNonNull(cron, "cron");
        }
    }

    /** Once at start-up, and again whenever the rule changes. */
    record Once() implements PrewarmSchedule {}
}
