package dev.wharf.proxy.pull;

import dev.wharf.proxy.upstream.BlobResponse;
import dev.wharf.storage.BlobReader;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.BlobWriter;
import dev.wharf.storage.CacheIndex;
import dev.wharf.storage.Digest;
import dev.wharf.storage.DigestEntry;
import dev.wharf.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.Optional;

/**
 * Blobs by digest: served from the store when present (digests are immutable, so no upstream request), otherwise
 * filled once from the upstream, verified while written, and published before anyone reads it.
 */
final class BlobPull {
    private static final int CHUNK = 64 * 1024;

    private final BlobStore blobs;
    private final CacheIndex index;
    private final Upstreams upstreams;
    private final Clock clock;
    private final Coalescer<Digest, Long> fills = new Coalescer<>();

    BlobPull(BlobStore blobs, CacheIndex index, Upstreams upstreams, Clock clock) {
        this.blobs = blobs;
        this.index = index;
        this.upstreams = upstreams;
        this.clock = clock;
    }

    /** Opens the blob, filling it from the upstream first on a miss. Blocks; the caller closes the reader. */
    BlobReader open(Target target, Digest digest) {
        Optional<BlobReader> cached = blobs.open(digest);
        if (cached.isPresent()) {
            markSeen(target, digest);
            return cached.get();
        }
        fills.run(digest, () -> fill(target, digest));
        return blobs.open(digest)
                .orElseThrow(() -> new StorageException(StorageException.Kind.IO, "blob vanished after its fill"));
    }

    /** Fills of blobs under way now. */
    int fillsInFlight() {
        return fills.inFlight();
    }

    private long fill(Target target, Digest digest) {
        // A fill that raced with another replica or an earlier fill is already done.
        Optional<Long> stored = blobs.findSize(digest);
        if (stored.isPresent()) {
            return stored.get();
        }
        long size;
        try (BlobResponse response = upstreams.of(target).fetchBlob(target.repository(), digest);
                BlobWriter writer = blobs.create(digest, response.contentLength())) {
            copy(response.body(), writer);
            writer.commit();
            size = writer.written();
        }
        index.putDigest(digest, new DigestEntry(size, "", clock.instant()));
        index.markSeen(target.upstream(), target.repository(), digest);
        return size;
    }

    private static void copy(InputStream in, BlobWriter writer) {
        byte[] buffer = new byte[CHUNK];
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                writer.write(ByteBuffer.wrap(buffer, 0, n));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("upstream body ended early", e);
        }
    }

    private void markSeen(Target target, Digest digest) {
        if (!index.isSeen(target.upstream(), target.repository(), digest)) {
            index.markSeen(target.upstream(), target.repository(), digest);
        }
    }
}
