package dev.wharf.proxy.prewarm;

import dev.wharf.config.PrewarmRule;
import java.util.Optional;

/** Told of each image a run has dealt with: stored (no failure) or failed with a one-line reason. */
public interface RunListener {
    RunListener NONE = (rule, image, failure) -> {};

    void image(PrewarmRule rule, ImagePlan image, Optional<String> failure);
}
