package dev.wharf.proxy.prewarm;

import dev.wharf.config.PrewarmRule;
import java.util.Optional;

/**
 * Told of each image a run has dealt with: stored (no failure) or failed with a one-line reason; and of each other
 * failure (a listing, a reference that could not be planned, an image's referrers) by its key in the run's failures.
 */
public interface RunListener {
    RunListener NONE = (rule, image, failure) -> {};

    void image(PrewarmRule rule, ImagePlan image, Optional<String> failure);

    /** A failure that is not an image's own; nothing by default. */
    default void failed(PrewarmRule rule, String key, String reason) {}
}
