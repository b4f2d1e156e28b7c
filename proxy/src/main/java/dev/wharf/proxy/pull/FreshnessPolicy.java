package dev.wharf.proxy.pull;

import dev.wharf.storage.Tag;
import java.time.Duration;

/** How long a cached tag is trusted before the upstream is asked again. */
@FunctionalInterface
public interface FreshnessPolicy {
    /** The time a tag of {@code target} stays fresh after the upstream confirmed it. */
    Duration tagTtl(Target target, Tag tag);
}
