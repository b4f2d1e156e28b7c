package dev.wharf.proxy.eviction;

import dev.wharf.storage.CacheIndex;
import dev.wharf.storage.Digest;
import dev.wharf.storage.ManifestCache;
import dev.wharf.storage.index.CachingIndex;
import java.util.function.Consumer;

/**
 * A replica's own index of a shared bucket: {@code bare}, the local index beneath any store backing, and {@code
 * cached}, the index the cache serves from (a {@link CachingIndex} over a store-backed index over {@code bare}), with
 * the hot manifests and the local copies of blobs ({@code copies} drops one: the disk tier's, when there is one).
 * Forgetting writes to nothing but these, never to the bucket.
 */
public final class LocalReplicaIndex implements ReplicaIndex {
    private final CacheIndex bare;
    private final CachingIndex cached;
    private final ManifestCache hot;
    private final Consumer<Digest> copies;

    public LocalReplicaIndex(CacheIndex bare, CachingIndex cached, ManifestCache hot, Consumer<Digest> copies) {
        this.bare = bare;
        this.cached = cached;
        this.hot = hot;
        this.copies = copies;
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
        copies.accept(digest);
    }
}
