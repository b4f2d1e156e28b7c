package dev.wharf.proxy.eviction;

import dev.wharf.storage.Digest;

/**
 * What this replica alone keeps about a shared bucket's content (its index, its hot manifests), forgotten entry by
 * entry without writing to the bucket, so that it stops serving what another replica evicted. Blocks; thread-safe.
 */
public interface ReplicaIndex {
    /** Forgets the local entry of {@code tag}; the bucket's own link is left as it is. */
    void forgetTag(TagRef tag);

    /** Forgets the local entry (and hot bytes) of {@code digest}; the bucket's object is left as it is. */
    void forgetDigest(Digest digest);
}
