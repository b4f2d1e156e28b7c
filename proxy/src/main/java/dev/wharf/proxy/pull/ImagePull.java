package dev.wharf.proxy.pull;

import dev.wharf.storage.Digest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Whole images, without HTTP: the manifest a reference names, for an index the manifests of the chosen platforms, and
 * every config and layer they reference, each fetched through the same coalesced, verified fills as clients' pulls
 * (so a prewarm and a client pulling the same image fetch it once). Blobs of an image are ensured concurrently; the
 * upstream's lane bounds how many download at a time.
 */
final class ImagePull {
    /** Indexes inside indexes are followed this deep, no deeper. */
    private static final int MAX_DEPTH = 2;

    /** Finds a manifest, storing it on a miss. */
    interface Manifests {
        CompletableFuture<Manifest> find(Target target, Reference reference);
    }

    /** Makes sure a blob is stored; completes with its size. */
    interface Blobs {
        CompletableFuture<Long> ensure(Target target, Digest digest);
    }

    private record Parts(List<Digest> manifests, Set<Digest> blobs) {}

    private final Manifests manifests;
    private final Blobs blobs;

    ImagePull(Manifests manifests, Blobs blobs) {
        this.manifests = manifests;
        this.blobs = blobs;
    }

    /** Stores the image {@code reference} names, for {@code platforms} (all the index lists when empty). */
    CompletableFuture<StoredImage> ensure(Target target, Reference reference, Set<Platform> platforms) {
        return manifests
                .find(target, reference)
                .thenCompose(top -> parts(target, top, platforms, 0).thenCompose(parts -> {
                    List<CompletableFuture<Long>> sizes = new ArrayList<>();
                    for (Digest blob : parts.blobs()) {
                        sizes.add(blobs.ensure(target, blob));
                    }
                    return CompletableFuture.allOf(sizes.toArray(CompletableFuture[]::new))
                            .thenApply(done -> new StoredImage(
                                    top.digest(),
                                    parts.manifests(),
                                    sizes.size(),
                                    sizes.stream()
                                            .mapToLong(CompletableFuture::join)
                                            .sum()));
                }));
    }

    /** The manifests stored under {@code manifest} (itself included) and the blobs they reference. */
    private CompletableFuture<Parts> parts(Target target, Manifest manifest, Set<Platform> platforms, int depth) {
        ManifestContents contents = ManifestContents.of(manifest);
        if (contents instanceof ManifestContents.Image image) {
            Set<Digest> referenced = new LinkedHashSet<>();
            image.config().ifPresent(referenced::add);
            referenced.addAll(image.layers());
            return CompletableFuture.completedFuture(new Parts(List.of(manifest.digest()), referenced));
        }
        if (depth >= MAX_DEPTH) {
            throw new IllegalArgumentException("indexes nested deeper than " + MAX_DEPTH + " in " + manifest.digest());
        }
        List<CompletableFuture<Parts>> children = new ArrayList<>();
        for (ManifestContents.Entry entry : ((ManifestContents.Index) contents).entries()) {
            if (chosen(entry, platforms)) {
                children.add(manifests
                        .find(target, Reference.parse(entry.digest().toString()))
                        .thenCompose(child -> parts(target, child, platforms, depth + 1)));
            }
        }
        return CompletableFuture.allOf(children.toArray(CompletableFuture[]::new))
                .thenApply(done -> {
                    List<Digest> all = new ArrayList<>(List.of(manifest.digest()));
                    Set<Digest> referenced = new LinkedHashSet<>();
                    for (CompletableFuture<Parts> child : children) {
                        all.addAll(child.join().manifests());
                        referenced.addAll(child.join().blobs());
                    }
                    return new Parts(all, referenced);
                });
    }

    /** Every entry when no platform is asked for; else those for a platform asked for (never one without platform). */
    private static boolean chosen(ManifestContents.Entry entry, Set<Platform> platforms) {
        return platforms.isEmpty()
                || entry.platform()
                        .filter(p -> platforms.stream().anyMatch(wanted -> wanted.admits(p)))
                        .isPresent();
    }
}
