package dev.wharf.proxy.pull;

/** Whether an upstream's announced pull budget has run low, so that stale cached tags are served without asking. */
@FunctionalInterface
public interface RateBudget {
    /** Never low: every stale tag is re-checked. */
    RateBudget UNLIMITED = upstream -> false;

    /** True when the last budget {@code upstream} announced is at or below the configured reserve. */
    boolean isLow(String upstream);
}
