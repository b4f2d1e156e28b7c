package dev.wharf.proxy.pull;

import dev.wharf.storage.Digest;
import dev.wharf.storage.Tag;

/**
 * The OCI referrers tag schema: the tag under which a registry without the referrers API keeps the index of a
 * digest's referrers, {@code <algorithm>-<encoded>} cut to 32 and 64 characters. Wharf keeps every referrers index it
 * caches under the same tag, whichever way the upstream answered.
 */
public final class ReferrersTag {
    private ReferrersTag() {}

    /** The tag of {@code subject}'s referrers: {@code sha256-<hex>}. */
    public static Tag of(Digest subject) {
        String algorithm = subject.algorithm();
        String encoded = subject.encoded();
        return Tag.parse(algorithm.substring(0, Math.min(32, algorithm.length())) + "-"
                + encoded.substring(0, Math.min(64, encoded.length())));
    }
}
