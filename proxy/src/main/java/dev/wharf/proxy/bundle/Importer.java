package dev.wharf.proxy.bundle;

import dev.wharf.config.WharfConfig;
import dev.wharf.proxy.pull.Target;
import dev.wharf.proxy.upstream.UpstreamClient;
import dev.wharf.storage.BlobReader;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.BlobWriter;
import dev.wharf.storage.CacheIndex;
import dev.wharf.storage.Digest;
import dev.wharf.storage.DigestEntry;
import dev.wharf.storage.StorageException;
import dev.wharf.storage.Tag;
import dev.wharf.storage.TagEntry;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a bundle once, front to back, into the cache. Every blob is verified against its digest while it is read:
 * a blob the store lacks is written through the store's verifying writer (nothing partial is ever visible), one it
 * has already is hashed and skipped, so an interrupted import run again resumes where it stopped. Only once the whole
 * tar has been read and every blob verified is {@code index.json} followed through every manifest it reaches; the
 * manifests, repository links and tags are recorded last, and only when everything they need is in the bundle or
 * already in the cache. So a corrupt or truncated bundle, or one whose {@code index.json} names a missing blob, is
 * refused with nothing recorded (verified blobs may stay stored, unreferenced, for the next attempt). Tags are recorded
 * as confirmed at import time, so {@code maxStale} counts from the import.
 */
final class Importer {
    private static final int BUFFER = 1024 * 1024;
    private static final int MAX_DEPTH = 4;

    /** What an import did: references recorded, blobs written and already present, bytes written. */
    record Summary(int images, int referrers, int written, int present, long bytesWritten) {}

    private record Use(Target target, Digest digest, String mediaType, long size) {}

    private final BlobStore blobs;
    private final CacheIndex index;
    private final WharfConfig config;
    private final Clock clock;
    private final Map<Digest, Long> carried = new HashMap<>();
    private final Map<String, Use> manifests = new LinkedHashMap<>();
    private final Map<String, Use> layers = new LinkedHashMap<>();
    private int written;
    private int present;
    private long bytesWritten;

    Importer(BlobStore blobs, CacheIndex index, WharfConfig config, Clock clock) {
        this.blobs = blobs;
        this.index = index;
        this.config = config;
        this.clock = clock;
    }

    /** Imports the bundle {@code in} streams; throws {@link BundleException} saying what is wrong, nothing recorded. */
    Summary run(InputStream in) throws BundleException {
        byte[] indexJson = null;
        TarReader tar = new TarReader(in);
        byte[] buffer = new byte[BUFFER];
        try {
            for (Optional<TarReader.Entry> e = tar.next(); e.isPresent(); e = tar.next()) {
                TarReader.Entry entry = e.get();
                if (entry.name().equals("index.json")) {
                    indexJson = readSmall(tar.body(), entry);
                } else if (entry.name().equals("oci-layout")) {
                    readSmall(tar.body(), entry);
                } else {
                    Optional<Digest> digest = BlobPath.digestOf(entry.name());
                    if (digest.isPresent()) {
                        store(digest.get(), entry, tar.body(), buffer);
                    }
                }
            }
        } catch (EOFException e) {
            throw new BundleException("the bundle is truncated: " + e.getMessage() + "; nothing was recorded"
                    + " (blobs verified so far are kept: importing a whole bundle resumes after them)");
        } catch (IOException e) {
            throw new BundleException("cannot read the bundle: " + e.getMessage() + "; nothing was recorded", e);
        }
        if (indexJson == null) {
            throw new BundleException("the bundle has no index.json: not an OCI image layout; nothing was recorded");
        }
        List<BundleIndex.Ref> refs;
        try {
            refs = BundleIndex.read(indexJson, config);
        } catch (IllegalArgumentException e) {
            throw new BundleException(e.getMessage() + "; nothing was recorded");
        }
        for (BundleIndex.Ref ref : refs) {
            walk(ref.target(), ref.digest(), ref.mediaType(), ref.name(), 0);
        }
        return record(refs);
    }

    /** Writes one blob through the verifying writer, or hashes it when the store has it already. */
    private void store(Digest digest, TarReader.Entry entry, InputStream body, byte[] buffer)
            throws IOException, BundleException {
        if (blobs.findSize(digest).filter(size -> size == entry.size()).isPresent()) {
            MessageDigest hasher = digest.newHasher();
            for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
                hasher.update(buffer, 0, n);
            }
            if (!digest.matches(hasher.digest())) {
                throw corrupt(entry);
            }
            present++;
        } else {
            try (BlobWriter writer = blobs.create(digest, entry.size())) {
                for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
                    writer.write(ByteBuffer.wrap(buffer, 0, n));
                }
                writer.commit();
            } catch (StorageException e) {
                if (e.kind() == StorageException.Kind.CORRUPT) {
                    throw corrupt(entry);
                }
                throw new BundleException("cannot store " + digest + ": " + e.getMessage(), e);
            }
            written++;
            bytesWritten += entry.size();
        }
        carried.put(digest, entry.size());
    }

    private static BundleException corrupt(TarReader.Entry entry) {
        return new BundleException(
                entry.name() + ": its bytes do not match its digest: the bundle is corrupt;" + " nothing was recorded");
    }

    /** Follows a manifest to what it needs, refusing what is neither in the bundle nor in the cache. */
    private void walk(Target target, Digest digest, String mediaType, String what, int depth) throws BundleException {
        Optional<Long> size = available(digest);
        if (size.isEmpty()) {
            throw missing(what, "manifest", digest);
        }
        manifests.put(target + "@" + digest, new Use(target, digest, mediaType, size.get()));
        BundleManifest parsed;
        try {
            parsed = BundleManifest.parse(read(digest));
        } catch (IllegalArgumentException e) {
            throw new BundleException(
                    what + ": " + digest + " is not a manifest (" + e.getMessage() + "); nothing was recorded");
        }
        if (!parsed.isIndex()) {
            for (BundleManifest.Descriptor blob : parsed.children()) {
                Optional<Long> blobSize = available(blob.digest());
                if (blobSize.isEmpty()) {
                    throw missing(what, "config or layer", blob.digest());
                }
                layers.put(target + "@" + blob.digest(), new Use(target, blob.digest(), "", blobSize.get()));
            }
            return;
        }
        if (depth >= MAX_DEPTH) {
            throw new BundleException(what + ": indexes nested deeper than " + MAX_DEPTH + "; nothing was recorded");
        }
        int carriedChildren = 0;
        for (BundleManifest.Descriptor child : parsed.children()) {
            // Platforms left out at export are absent: an index is carried whole, its manifests as chosen.
            if (available(child.digest()).isPresent()) {
                walk(target, child.digest(), child.mediaType(), what, depth + 1);
                carriedChildren++;
            }
        }
        if (carriedChildren == 0 && !parsed.children().isEmpty() && !isReferrers(what)) {
            throw new BundleException(what + ": none of the manifests of index " + digest
                    + " is in the bundle or the cache;" + " nothing was recorded");
        }
    }

    /** Whether a reference name is a referrers tag ({@code <name>:sha256-<hex>}). */
    private static boolean isReferrers(String name) {
        return name.matches(".*:sha(256|512)-[0-9a-f]{64}$");
    }

    private static BundleException missing(String what, String kind, Digest digest) {
        return new BundleException("index.json names " + what + ", whose " + kind + " " + digest
                + " is neither in the bundle nor in the cache; nothing was recorded");
    }

    private Optional<Long> available(Digest digest) {
        Long size = carried.get(digest);
        return size != null ? Optional.of(size) : blobs.findSize(digest);
    }

    /** Records manifests, then blobs' repository links, then tags: tags last, once everything they reach is kept. */
    private Summary record(List<BundleIndex.Ref> refs) {
        Instant now = clock.instant();
        for (Use m : manifests.values()) {
            index.putDigest(m.digest(), new DigestEntry(m.size(), m.mediaType(), now));
            index.markSeen(m.target().upstream(), m.target().repository(), m.digest());
        }
        for (Use blob : layers.values()) {
            if (index.findDigest(blob.digest()).isEmpty()) {
                index.putDigest(blob.digest(), new DigestEntry(blob.size(), "", now));
            }
            index.markSeen(blob.target().upstream(), blob.target().repository(), blob.digest());
        }
        int images = 0;
        int referrers = 0;
        for (BundleIndex.Ref ref : refs) {
            if (ref.tag().isPresent()) {
                Tag tag = ref.tag().get();
                index.putTag(
                        ref.target().upstream(),
                        ref.target().repository(),
                        tag,
                        new TagEntry(ref.digest(), ref.mediaType(), now, now));
            }
            if (isReferrers(ref.name())) {
                referrers++;
            } else {
                images++;
            }
        }
        return new Summary(images, referrers, written, present, bytesWritten);
    }

    private byte[] read(Digest digest) throws BundleException {
        BlobReader reader = blobs.open(digest)
                .orElseThrow(() -> new BundleException(digest + " vanished from the cache; nothing was recorded"));
        try (reader) {
            if (reader.size() > UpstreamClient.MAX_MANIFEST_BYTES) {
                throw new IllegalArgumentException("over 4 MiB");
            }
            ByteBuffer bytes = ByteBuffer.allocate((int) reader.size());
            while (bytes.hasRemaining()) {
                if (reader.read(bytes, bytes.position()) < 0) {
                    throw new BundleException(digest + " in the cache is shorter than its size");
                }
            }
            return bytes.array();
        } catch (IOException e) {
            throw new BundleException("cannot read " + digest + " from the cache: " + e.getMessage(), e);
        }
    }

    private static byte[] readSmall(InputStream body, TarReader.Entry entry) throws IOException {
        if (entry.size() > UpstreamClient.MAX_MANIFEST_BYTES) {
            throw new IOException(entry.name() + " is over 4 MiB");
        }
        byte[] bytes = body.readAllBytes();
        if (bytes.length != entry.size()) {
            throw new EOFException("the bundle ends inside " + entry.name());
        }
        return bytes;
    }
}
