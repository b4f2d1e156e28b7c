package dev.wharf.storage.fs;

import dev.wharf.storage.BlobContent;
import dev.wharf.storage.BlobInfo;
import dev.wharf.storage.BlobReader;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.BlobWriter;
import dev.wharf.storage.Digest;
import dev.wharf.storage.Spool;
import dev.wharf.storage.SpoolWriter;
import dev.wharf.storage.StorageException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Optional;

/**
 * Blobs as files on a local disk, one file per digest. Paths are derived from the digest alone:
 *
 * <pre>
 * root/
 * ├── blobs/
 * │   ├── sha256/
 * │   │   └── ab/                   first two hex characters (fan-out)
 * │   │       └── abcdef0123…       the bytes of sha256:abcdef0123…
 * │   └── sha512/
 * │       └── …
 * └── tmp/                          {@link #spoolDirectory()}
 *     └── blob-*.part               spools in progress; swept by {@link #open(Path)}
 * </pre>
 *
 * <p>Bytes arrive through a {@link Spool}, are hashed as they are written, and on publish are fsynced and renamed
 * atomically into place; a new fan-out directory is fsynced into its parent, and the fan-out directory after the
 * rename. A spool on another filesystem is copied into {@code tmp/} first. One process owns a root at a time.
 * Thread-safe: any number of spools, readers and deletes may run concurrently.
 */
public final class FileBlobStore implements BlobStore {
    private final Path blobs;
    private final Path tmp;
    private final Object tmpDevice;
    private volatile boolean closed;

    private FileBlobStore(Path root, Object tmpDevice) {
        this.blobs = root.resolve("blobs");
        this.tmp = root.resolve("tmp");
        this.tmpDevice = tmpDevice;
    }

    /**
     * Opens (creating if needed) the store under {@code root} and deletes spools that interrupted writes left in
     * {@code tmp/}; throws {@link StorageException} of kind IO when the directories cannot be created or swept.
     */
    public static FileBlobStore open(Path root) {
        try {
            Files.createDirectories(root.resolve("blobs"));
            Path tmp = Files.createDirectories(root.resolve("tmp"));
            Spool.sweep(tmp);
            return new FileBlobStore(root, device(tmp));
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.IO, "cannot open blob store at " + root, e);
        }
    }

    /** Where spools for this store belong: on its filesystem, so that publishing them is a rename. */
    public Path spoolDirectory() {
        return tmp;
    }

    @Override
    public Optional<BlobInfo> stat(Digest digest) {
        ensureOpen();
        try {
            return Optional.of(new BlobInfo(digest, Files.size(pathOf(digest))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.IO, "cannot stat blob " + digest, e);
        }
    }

    /** {@inheritDoc} Always a {@link BlobContent.LocalFile}. */
    @Override
    public Optional<BlobContent> openContent(Digest digest) {
        // Published files never change, so the size read once stays true.
        return openFile(digest).map(reader -> new BlobContent.LocalFile(reader.channel(), reader.size()));
    }

    @Override
    public Optional<BlobReader> open(Digest digest) {
        return openFile(digest).map(BlobReader.class::cast);
    }

    @Override
    public Optional<Long> findSize(Digest digest) {
        return stat(digest).map(BlobInfo::size);
    }

    @Override
    public BlobWriter create(Digest expected, long expectedSize) {
        ensureOpen();
        return new SpoolWriter(Spool.create(tmp, expected, expectedSize), this);
    }

    @Override
    public void publish(Spool spool) {
        ensureOpen();
        if (!spool.isVerified()) {
            throw new IllegalStateException("spool is not verified");
        }
        Path target = pathOf(spool.digest());
        try {
            if (Files.exists(target)) {
                return;
            }
            Durable.createDirectories(target.getParent());
            if (Objects.equals(device(spool.directory()), tmpDevice)) {
                spool.moveTo(target);
                return;
            }
            try (Spool local = Spool.create(tmp, spool.digest(), spool.written())) {
                spool.copyTo(local::write);
                local.verify();
                local.moveTo(target);
            }
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.IO, "cannot publish blob " + spool.digest(), e);
        }
    }

    @Override
    public void delete(Digest digest) {
        ensureOpen();
        try {
            Files.deleteIfExists(pathOf(digest));
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.IO, "cannot delete blob " + digest, e);
        }
    }

    /** Marks the store closed; readers and spools already open keep working until closed themselves. */
    @Override
    public void close() {
        closed = true;
    }

    /** Where the bytes of {@code digest} live (or would live): {@code blobs/<algorithm>/<xx>/<hex>}. */
    Path pathOf(Digest digest) {
        String hex = digest.encoded();
        return blobs.resolve(digest.algorithm()).resolve(hex.substring(0, 2)).resolve(hex);
    }

    private Optional<FileBlobReader> openFile(Digest digest) {
        ensureOpen();
        try {
            return Optional.of(new FileBlobReader(FileChannel.open(pathOf(digest), StandardOpenOption.READ)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.IO, "cannot open blob " + digest, e);
        }
    }

    /** The device a directory lives on; a rename works only within one. */
    private static Object device(Path directory) throws IOException {
        return Files.getAttribute(directory, "unix:dev");
    }

    private void ensureOpen() {
        if (closed) {
            throw new StorageException(StorageException.Kind.IO, "blob store is closed");
        }
    }
}
