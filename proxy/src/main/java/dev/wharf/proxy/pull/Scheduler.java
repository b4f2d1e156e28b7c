package dev.wharf.proxy.pull;

import java.time.Duration;

/** Runs an action after a delay, on a thread of its own; the action must only hand work off. */
@FunctionalInterface
public interface Scheduler {
    /**
     * Runs {@code action} once {@code delay} has passed (at once when it is zero or negative); returns what cancels
     * it, so that an action no longer needed holds nothing until its time.
     */
    Runnable after(Duration delay, Runnable action);
}
