package dev.wharf.proxy.pull;

import dev.wharf.storage.Digest;

/** Told of every manifest and blob the pull-through cache hands out, so that eviction knows what is in use. */
@FunctionalInterface
public interface ServedDigests {
    /** Hears nothing. */
    ServedDigests NONE = digest -> {};

    /** {@code digest} was just handed out. Called on pull's threads: must only record, never block. */
    void served(Digest digest);
}
