package dev.wharf.proxy.eviction;

import dev.wharf.storage.CacheIndex;
import dev.wharf.storage.Digest;
import dev.wharf.storage.ManifestCache;
import dev.wharf.storage.index.CachingIndex;

/**
 * A replica's own index of a shared bucket: {@code bare}, the local index beneath any store backing, and {@code
 * cached}, the index the cache serves from (a {@link CachingIndex} over a store-backed index over {@code bare}), with
 * the hot manifests. Forgetting writes to neither the bucket nor anything but these.
 */
public final class LocalReplicaIndex implements ReplicaIndex {
    private final CacheIndex bare;
    private final CachingIndex cached;
    private final ManifestCache hot;

    public LocalReplicaIndex(CacheIndex bare, CachingIndex cached, ManifestCache hot) {
        this.bare = bare;
        this.cached = cached;
        this.hot = hot;
    }

    @Override
    public void forgetTag(TagRef tag) {
        bare.deleteTag(tag.upstream(), tag.repository(), tag.tag());
        cached.invalidateTag(tag.upstream(), tag.repository(), tag.tag());
    }

    @Override
    public void forgetDigest(Digest digest) {
        // A store-backed index deletes only its own entry of a digest, never the bucket's object.
        cached.deleteDigest(digest);
        hot.invalidate(digest);
    }
}
