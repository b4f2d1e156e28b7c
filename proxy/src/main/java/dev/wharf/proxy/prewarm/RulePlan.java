package dev.wharf.proxy.prewarm;

import dev.wharf.config.PrewarmRule;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a rule selects now: the images planned, the listed tags not selected with why, and the references that could
 * not be planned (or the listing itself, under the reference {@code "tags"}) with their failure.
 */
public record RulePlan(
        PrewarmRule rule, List<ImagePlan> images, Map<String, String> rejected, Map<String, String> failures) {
    public RulePlan {
        images = List.copyOf(images);
        rejected = Collections.unmodifiableMap(new LinkedHashMap<>(rejected));
        failures = Collections.unmodifiableMap(new LinkedHashMap<>(failures));
    }
}
