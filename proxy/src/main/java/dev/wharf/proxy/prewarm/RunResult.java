package dev.wharf.proxy.prewarm;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How one run of a rule went: when it started and ended, how many references it selected, how many images it
 * stored, how many of their referrers (signatures, SBOMs; when the rule asks) it stored, the blobs and bytes it fetched
 * (referrers' included), the bytes already cached, and what failed (reference to one-line reason).
 */
public record RunResult(
        String rule,
        Instant started,
        Instant finished,
        int selected,
        int images,
        int referrers,
        int blobsFetched,
        long bytesFetched,
        long bytesCached,
        Map<String, String> failures) {
    public RunResult {
        failures = Collections.unmodifiableMap(new LinkedHashMap<>(failures));
    }

    /** True when anything failed. */
    public boolean failed() {
        return !failures.isEmpty();
    }
}
