package dev.wharf.proxy.bundle;

import dev.wharf.proxy.pull.Manifest;
import dev.wharf.proxy.pull.Platform;
import dev.wharf.proxy.pull.PullThrough;
import dev.wharf.proxy.pull.Reference;
import dev.wharf.proxy.pull.Referrers;
import dev.wharf.proxy.pull.ReferrersTag;
import dev.wharf.proxy.pull.StoredImage;
import dev.wharf.proxy.pull.Target;
import dev.wharf.storage.BlobReader;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.Digest;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Writes cached images as a bundle: an OCI image layout in a tar ({@code oci-layout}, then every blob in digest order
 * under {@code blobs/<algorithm>/<hex>}, then {@code index.json}, so an importer reading it once has verified every
 * blob before it learns what to record). Images are first made sure of through pull, as a client's pull would (an
 * index whole, the chosen platforms' manifests, configs and layers), with the referrers of each manifest and the
 * manifests, configs and layers of those referrers. Nothing is written while anything is missing. Bytes are streamed
 * from the store through one buffer, and hashed again on the way out; the tar is written beside the output and
 * renamed into place once complete.
 */
final class Exporter {
    private static final int BUFFER = 1024 * 1024;

    /**
     * One image to carry and the platforms of it to carry (all when empty). Images named on the command line share
     * the {@code --platform} options; a prewarm rule, selected by name, would give its own.
     */
    record Selected(ImageRef image, Set<Platform> platforms) {
        Selected {
            platforms = Set.copyOf(platforms);
        }
    }

    /** What a bundle holds: how many references and blobs, and the bytes of the blobs written. */
    record Summary(int refs, int blobs, long bytes) {}

    private final PullThrough pull;
    private final BlobStore blobs;
    private final PrintWriter progress;
    private final Map<String, BundleIndex.Ref> refs = new TreeMap<>();
    private final Map<String, Digest> content = new TreeMap<>();
    private final List<String> missing = new ArrayList<>();

    Exporter(PullThrough pull, BlobStore blobs, PrintWriter progress) {
        this.pull = pull;
        this.blobs = blobs;
        this.progress = progress;
    }

    /**
     * Makes sure of the selected images, each for its platforms, with their referrers; returns what could not be
     * (each with the reason, such as an upstream that cannot be reached), empty when all is stored.
     */
    List<String> collect(List<Selected> selection) {
        for (Selected selected : selection) {
            ImageRef image = selected.image();
            try {
                StoredImage stored = join(pull.ensureImage(image.target(), image.reference(), selected.platforms()));
                Manifest top = manifest(image.target(), stored.digest());
                BundleIndex.Ref ref = ref(image, stored, top);
                refs.put(ref.name(), ref);
                addImage(image.target(), stored);
                for (Digest manifest : stored.manifests()) {
                    addReferrers(image.target(), manifest);
                }
                progress.println("  " + image + " -> " + stored.digest() + " ("
                        + stored.manifests().size() + " manifests, " + stored.blobs() + " blobs)");
                progress.flush();
            } catch (RuntimeException e) {
                missing.add(image + ": " + reason(e));
            }
        }
        return List.copyOf(missing);
    }

    /** Writes the bundle to {@code out}, leaving out the blobs {@code earlier} holds (a delta); refs stay whole. */
    Summary write(Path out, Set<Digest> earlier) throws IOException {
        Path partial = out.resolveSibling(out.getFileName() + ".partial");
        int written = 0;
        long bytes = 0;
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(partial), BUFFER)) {
            TarWriter tar = new TarWriter(file);
            tar.file("oci-layout", BundleIndex.layout());
            byte[] buffer = new byte[BUFFER];
            for (Digest digest : content.values()) {
                if (!earlier.contains(digest)) {
                    bytes += copy(tar, digest, buffer);
                    written++;
                }
            }
            tar.file("index.json", BundleIndex.write(refs.values()));
            tar.close();
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(partial);
            throw e;
        }
        Files.move(partial, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new Summary(refs.size(), written, bytes);
    }

    private static BundleIndex.Ref ref(ImageRef image, StoredImage stored, Manifest top) {
        return new BundleIndex.Ref(
                image.target(), image.reference().tag(), stored.digest(), top.mediaType(), top.bytes().length);
    }

    /** The image's manifests and, for each image manifest among them, its config and layers. */
    private void addImage(Target target, StoredImage stored) {
        for (Digest digest : stored.manifests()) {
            add(digest);
            BundleManifest parsed =
                    BundleManifest.parse(manifest(target, digest).bytes());
            if (!parsed.isIndex()) {
                parsed.children().forEach(child -> add(child.digest()));
            }
        }
    }

    /** The referrers index of {@code subject}, kept under its referrers tag, and every referrer it lists. */
    private void addReferrers(Target target, Digest subject) {
        Referrers found = join(pull.referrers(target, subject, Optional.empty()));
        byte[] body = found.body();
        Digest digest = Digest.sha256(body);
        add(digest);
        BundleIndex.Ref ref = new BundleIndex.Ref(
                target, Optional.of(ReferrersTag.of(subject)), digest, Referrers.MEDIA_TYPE, body.length);
        refs.put(ref.name(), ref);
        for (BundleManifest.Descriptor referrer : BundleManifest.parse(body).children()) {
            addImage(
                    target,
                    join(pull.ensureImage(
                            target, Reference.parse(referrer.digest().toString()), Set.of())));
        }
    }

    private Manifest manifest(Target target, Digest digest) {
        return join(pull.manifest(target, Reference.parse(digest.toString())));
    }

    private void add(Digest digest) {
        content.put(digest.toString(), digest);
    }

    /** Streams one stored blob into the tar, hashing it again: the cache's bytes are checked on their way out. */
    private long copy(TarWriter tar, Digest digest, byte[] buffer) throws IOException {
        BlobReader reader = blobs.open(digest)
                .orElseThrow(() -> new IOException(digest + " is no longer in the cache (evicted meanwhile?)"));
        try (reader) {
            long size = reader.size();
            MessageDigest hasher = digest.newHasher();
            tar.begin("blobs/" + digest.algorithm() + "/" + digest.encoded(), size);
            ByteBuffer wrapped = ByteBuffer.wrap(buffer);
            long position = 0;
            while (position < size) {
                wrapped.clear();
                wrapped.limit((int) Math.min(buffer.length, size - position));
                int n = reader.read(wrapped, position);
                if (n < 0) {
                    throw new IOException(digest + " in the cache is shorter than its size");
                }
                hasher.update(buffer, 0, n);
                tar.write(buffer, 0, n);
                position += n;
            }
            if (!digest.matches(hasher.digest())) {
                throw new IOException("the cache holds bytes for " + digest + " that do not match it");
            }
            return size;
        }
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw e;
        }
    }

    private static String reason(Throwable failure) {
        String message = failure.getMessage();
        return message == null ? failure.getClass().getSimpleName() : message;
    }
}
