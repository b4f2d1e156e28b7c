package dev.wharf.proxy.prewarm;

import dev.wharf.config.PrewarmRule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a rule selects now: the images planned, the listed tags not selected with why, the references that could not
 * be planned with their failure, and the listings that failed (the tags under {@code "tags"}, for a repository glob
 * the catalog under {@code "catalog"} and each repository's tags under its name); {@code selected} counts the images
 * planned and those that could not be. A repository glob's tags and references are named {@code repository:tag}.
 */
public record RulePlan(
        PrewarmRule rule,
        List<ImagePlan> images,
        Map<String, String> rejected,
        Map<String, String> failures,
        int selected) {
    public RulePlan {
        images = List.copyOf(images);
        rejected = Collections.unmodifiableMap(new LinkedHashMap<>(rejected));
        failures = Collections.unmodifiableMap(new LinkedHashMap<>(failures));
    }

    /** Gathers a plan, repository by repository. */
    static final class Builder {
        private final PrewarmRule rule;
        private final List<ImagePlan> images = new ArrayList<>();
        private final Map<String, String> rejected = new LinkedHashMap<>();
        private final Map<String, String> failures = new LinkedHashMap<>();
        private int selected;

        Builder(PrewarmRule rule) {
            this.rule = rule;
        }

        PrewarmRule rule() {
            return rule;
        }

        void image(ImagePlan image) {
            images.add(image);
            selected++;
        }

        void imageFailed(String key, String why) {
            failures.put(key, why);
            selected++;
        }

        void failed(String listing, String why) {
            failures.put(listing, why);
        }

        void rejected(String key, String why) {
            rejected.put(key, why);
        }

        RulePlan build() {
            return new RulePlan(rule, images, rejected, failures, selected);
        }
    }
}
