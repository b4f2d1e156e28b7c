package dev.wharf.proxy.upstream;

import java.time.Duration;

/** Waits between attempts; tests pass one that records instead of waiting. */
@FunctionalInterface
public interface Sleeper {
    /** The real thing: {@link Thread#sleep}. */
    Sleeper REAL = duration -> Thread.sleep(duration.toMillis());

    /** Blocks for {@code duration}; throws when interrupted. */
    void sleep(Duration duration) throws InterruptedException;
}
