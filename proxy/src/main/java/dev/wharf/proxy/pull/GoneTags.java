package dev.wharf.proxy.pull;

/** Per upstream, whether a cached tag the upstream answers 404 for is forgotten and answered 404. */
@FunctionalInterface
public interface GoneTags {
    /** Every upstream's gone tags keep being served from the cache, marked stale. */
    GoneTags SERVE = upstream -> false;

    /** True when a tag {@code upstream} no longer has is forgotten (its manifest stays cached by digest). */
    boolean forget(String upstream);
}
