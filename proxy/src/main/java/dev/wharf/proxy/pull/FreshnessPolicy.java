package dev.wharf.proxy.pull;

import dev.wharf.storage.Tag;
import java.time.Duration;

/** How long a cached tag, or a repository's tag list, is trusted before the upstream is asked again. */
@FunctionalInterface
public interface FreshnessPolicy {
    /** The time a tag of {@code target} stays fresh after the upstream confirmed it. */
    Duration tagTtl(Target target, Tag tag);

    /** The time the tag list of {@code target} is answered from memory after the upstream sent it; zero unless set. */
    default Duration listTtl(Target target) {
        return Duration.ZERO;
    }
}
