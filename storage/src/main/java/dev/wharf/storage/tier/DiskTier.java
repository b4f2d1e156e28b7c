package dev.wharf.storage.tier;

import dev.wharf.storage.BlobContent;
import dev.wharf.storage.BlobInfo;
import dev.wharf.storage.BlobReader;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.BlobWriter;
import dev.wharf.storage.Digest;
import dev.wharf.storage.ForwardingBlobWriter;
import dev.wharf.storage.Spool;
import dev.wharf.storage.StorageException;
import dev.wharf.storage.fs.FileBlobStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A remote store (a bucket) with the blobs this replica filled, and those it served most recently, also kept on local
 * disk, at most {@code capacity} bytes of them: a blob on the tier is served from its file (sendfile), others from the
 * remote store. A blob goes on the tier when this replica publishes it (the verified bytes are on local disk already)
 * and is dropped, least recently used first, when the tier would outgrow its capacity; a reader of a dropped file
 * keeps reading it. The remote store stays the truth: stat, publish and delete go to it, and the tier only ever holds
 * verified copies. At start the tier's files are taken as they are, oldest first. Thread-safe.
 */
public final class DiskTier implements BlobStore {
    private static final Logger LOG = LoggerFactory.getLogger(DiskTier.class);
    private static final int COPY = 1 << 20;

    private final BlobStore remote;
    private final FileBlobStore local;
    private final long capacity;
    // Access order: the eldest entry is the least recently used blob. Guarded by this.
    private final LinkedHashMap<Digest, Long> held = new LinkedHashMap<>(16, 0.75f, true);
    private long heldBytes; // guarded by this

    private DiskTier(BlobStore remote, FileBlobStore local, long capacity) {
        this.remote = remote;
        this.local = local;
        this.capacity = capacity;
    }

    /**
     * {@code remote} with a tier of {@code capacity} bytes (positive) in {@code directory}, which is created if needed
     * and whose blobs are kept up to the capacity. Throws {@link StorageException} of kind IO when it cannot be opened.
     */
    public static DiskTier open(BlobStore remote, Path directory, long capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        DiskTier tier = new DiskTier(remote, FileBlobStore.open(directory), capacity);
        tier.adopt(directory.resolve("blobs"));
        return tier;
    }

    /** The bytes the tier holds now. */
    public synchronized long heldBytes() {
        return heldBytes;
    }

    @Override
    public Optional<BlobInfo> stat(Digest digest) {
        Optional<BlobInfo> kept = local.stat(digest);
        return kept.isPresent() ? kept : remote.stat(digest);
    }

    @Override
    public Optional<Long> findSize(Digest digest) {
        return stat(digest).map(BlobInfo::size);
    }

    /** {@inheritDoc} A {@link BlobContent.LocalFile} when the tier holds it, else what the remote store opens. */
    @Override
    public Optional<BlobContent> openContent(Digest digest) {
        Optional<BlobContent> kept = local.openContent(digest);
        if (kept.isPresent()) {
            touch(digest);
            return kept;
        }
        return remote.openContent(digest);
    }

    @Override
    public Optional<BlobReader> open(Digest digest) {
        Optional<BlobReader> kept = local.open(digest);
        if (kept.isPresent()) {
            touch(digest);
            return kept;
        }
        return remote.open(digest);
    }

    /** {@inheritDoc} The remote store's writer; once it committed, the verified bytes are copied onto the tier. */
    @Override
    public BlobWriter create(Digest expected, long expectedSize) {
        return new KeepingWriter(remote.create(expected, expectedSize), expected);
    }

    /** {@inheritDoc} Published to the remote store, then copied onto the tier. */
    @Override
    public void publish(Spool spool) {
        remote.publish(spool);
        try (BlobReader verified = spool.openReader()) {
            keep(spool.digest(), verified);
        }
    }

    @Override
    public void delete(Digest digest) {
        remote.delete(digest);
        drop(digest);
    }

    /**
     * Drops the tier's copy of {@code digest} and leaves the remote store's object alone (another replica deletes it);
     * does nothing when the tier holds none. A reader of the dropped file keeps reading it.
     */
    public void dropCopy(Digest digest) {
        drop(digest);
    }

    @Override
    public void close() {
        local.close();
        remote.close();
    }

    /** Copies the verified bytes {@code source} holds onto the tier; a failure only costs the local copy. */
    private void keep(Digest digest, BlobReader source) {
        long size = source.size();
        if (size > capacity) {
            return;
        }
        try (BlobWriter copy = local.create(digest, size)) {
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(COPY, Math.max(size, 1)));
            for (long at = 0; at < size; ) {
                buffer.clear();
                int n = source.read(buffer, at);
                if (n < 0) {
                    throw new IOException("the verified bytes ended at " + at + " of " + size);
                }
                at += n;
                copy.write(buffer.flip());
            }
            copy.commit();
        } catch (IOException | StorageException e) {
            LOG.warn("cannot keep {} on the disk tier: {}", digest, e.getMessage());
            return;
        }
        add(digest, size);
    }

    private void add(Digest digest, long size) {
        List<Digest> evicted = new ArrayList<>();
        synchronized (this) {
            if (held.put(digest, size) == null) {
                heldBytes += size;
            }
            while (heldBytes > capacity && held.size() > 1) {
                Map.Entry<Digest, Long> eldest = held.entrySet().iterator().next();
                held.remove(eldest.getKey());
                heldBytes -= eldest.getValue();
                evicted.add(eldest.getKey());
            }
        }
        // Outside the lock: a delete touches the disk. Readers of a deleted file keep reading it.
        for (Digest gone : evicted) {
            try {
                local.delete(gone);
            } catch (StorageException e) {
                LOG.warn("cannot drop {} from the disk tier: {}", gone, e.getMessage());
            }
        }
    }

    private synchronized void touch(Digest digest) {
        held.get(digest);
    }

    private void drop(Digest digest) {
        synchronized (this) {
            Long size = held.remove(digest);
            if (size != null) {
                heldBytes -= size;
            }
        }
        local.delete(digest);
    }

    /** Takes the blobs a previous run left on the tier, oldest first, and drops what exceeds the capacity. */
    private void adopt(Path blobs) {
        record Found(Digest digest, long size, FileTime modified) {}
        List<Found> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(blobs, 3)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                Path algorithm = file.getParent().getParent();
                String text = algorithm.getFileName() + ":" + file.getFileName();
                if (Digest.isDigest(text)) {
                    found.add(new Found(Digest.parse(text), Files.size(file), Files.getLastModifiedTime(file)));
                }
            }
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.IO, "cannot read the disk tier at " + blobs, e);
        }
        found.sort(Comparator.comparing(Found::modified));
        found.forEach(f -> add(f.digest(), f.size()));
    }

    /** The remote store's writer, which copies the committed bytes onto the tier. */
    private final class KeepingWriter extends ForwardingBlobWriter {
        private final Digest digest;
        private boolean committed;

        KeepingWriter(BlobWriter target, Digest digest) {
            super(target);
            this.digest = digest;
        }

        @Override
        public void commit() {
            if (committed) {
                return;
            }
            target().verify();
            // Opened before the commit: the spool's file may be removed by it, and an open reader keeps reading it.
            try (BlobReader verified = target().openPartial()) {
                target().commit();
                committed = true;
                keep(digest, verified);
            }
        }
    }
}
