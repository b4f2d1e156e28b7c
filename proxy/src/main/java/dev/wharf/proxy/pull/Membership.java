package dev.wharf.proxy.pull;

import dev.wharf.proxy.upstream.BlobResponse;
import dev.wharf.proxy.upstream.ManifestHead;
import dev.wharf.proxy.upstream.UpstreamException;
import dev.wharf.storage.CacheIndex;
import dev.wharf.storage.Digest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The linked-content rule (distribution's): stored bytes are served through an upstream and repository only when that
 * repository is known to reference them, since the same digest may have been fetched through another upstream's
 * credentials or another repository. A repository is known to reference a digest when Wharf fetched it through that
 * repository, when a manifest fetched through it lists the digest (its config, layers, or an index's manifests), or
 * when the upstream, asked through that repository, confirms it has the digest. The record is the index's
 * {@code upstream + repository -> digests seen}. Blocking methods run on storage threads or the upstream's lane.
 */
final class Membership {
    private final CacheIndex index;
    private final Upstreams upstreams;

    Membership(CacheIndex index, Upstreams upstreams) {
        this.index = index;
        this.upstreams = upstreams;
    }

    /** True when {@code target}'s repository is known to reference {@code digest}. Blocks on the index. */
    boolean isLinked(Target target, Digest digest) {
        return index.isSeen(target.upstream(), target.repository(), digest);
    }

    /** Records that {@code target}'s repository references {@code digest}. Blocks on the index. */
    void link(Target target, Digest digest) {
        if (!isLinked(target, digest)) {
            index.markSeen(target.upstream(), target.repository(), digest);
        }
    }

    /** Links {@code manifest} and what it lists to {@code target}: the upstream served it from that repository. */
    void linkWithReferences(Target target, Manifest manifest) {
        link(target, manifest.digest());
        references(manifest).forEach(digest -> link(target, digest));
    }

    /**
     * Asks {@code target}'s upstream for the blob through {@code target}'s repository (a GET closed once its headers
     * arrived: the client has no HEAD for blobs) and links it when the upstream has it; fails with the upstream's
     * failure ({@code NOT_FOUND} when the repository does not have it) otherwise. Runs on the upstream's lane.
     */
    CompletableFuture<Void> confirmBlob(Target target, Digest digest) {
        Upstreams.Lane lane = upstreams.of(target);
        return Futures.on(lane.executor(), () -> {
            BlobResponse response = lane.client().fetchBlob(target.repository(), digest);
            response.close();
            link(target, digest);
            return CompletableFuture.completedFuture(null);
        });
    }

    /**
     * Asks {@code target}'s upstream whether {@code target}'s repository has {@code manifest} (a HEAD by digest) and
     * links it with what it lists when it does; throws the upstream's failure otherwise. Runs on the upstream's lane.
     */
    Manifest confirmManifest(Target target, Manifest manifest) {
        ManifestHead head = upstreams
                .of(target)
                .client()
                .headManifest(target.repository(), manifest.digest().toString());
        if (head.digest().isPresent() && !head.digest().get().equals(manifest.digest())) {
            throw UpstreamException.notFound(target.upstream(), "such manifest in " + target.repository());
        }
        linkWithReferences(target, manifest);
        return manifest;
    }

    private static List<Digest> references(Manifest manifest) {
        ManifestContents contents;
        try {
            contents = ManifestContents.of(manifest);
        } catch (IllegalArgumentException e) {
            return List.of();
        }
        List<Digest> digests = new ArrayList<>();
        if (contents instanceof ManifestContents.Index index) {
            index.entries().forEach(entry -> digests.add(entry.digest()));
        } else if (contents instanceof ManifestContents.Image image) {
            image.config().ifPresent(digests::add);
            digests.addAll(image.layers());
        }
        return digests;
    }
}
