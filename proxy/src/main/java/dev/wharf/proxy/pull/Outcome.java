package dev.wharf.proxy.pull;

import java.util.Locale;

/** How the cache answered a manifest or blob request. */
public enum Outcome {
    /** From the cache, without the upstream (a re-check that confirmed a tag included). */
    HIT,
    /** Fetched from the upstream for this request. */
    MISS,
    /** A tag's last known manifest, served because the upstream did not confirm it. */
    STALE,
    /** Joined a fetch another request started: served from the cache's copy as it arrived. */
    COALESCED;

    /** The name in metrics and logs. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** What a request that joined work ending in this outcome got: a fetch it shared is a coalesced join. */
    Outcome joined() {
        return this == MISS ? COALESCED : this;
    }
}
