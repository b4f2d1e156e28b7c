package dev.wharf.storage.fs;

import dev.wharf.storage.BlobReader;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.BlobWriter;
import dev.wharf.storage.Digest;
import dev.wharf.storage.StorageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 * └── tmp/
 *     └── blob-*.part               writes in progress; swept by {@link #open(Path)}
 * </pre>
 *
 * <p>A write goes to a temp file under {@code tmp/} (the same filesystem), is hashed as it is written, and on commit
 * is verified, fsynced and renamed atomically into place; the fan-out directory is fsynced after the rename. One
 * process owns a root at a time. Thread-safe: any number of writers, readers and deletes may run concurrently.
 */
public final class FileBlobStore implements BlobStore {
    private final Path blobs;
    private final Path tmp;
    private volatile boolean closed;

    private FileBlobStore(Path root) {
        this.blobs = root.resolve("blobs");
        this.tmp = root.resolve("tmp");
    }

    /**
     * Opens (creating if needed) the store under {@code root} and deletes leftovers of interrupted writes; throws
     * {@link StorageException} of kind IO when the directories cannot be created or swept.
     */
    public static FileBlobStore open(Path root) {
        FileBlobStore store = new FileBlobStore(root);
        try {
            Files.createDirectories(store.blobs);
            Files.createDirectories(store.tmp);
            store.sweepTemp();
        } catch (IOException | UncheckedIOException e) {
            throw new StorageException(StorageException.Kind.IO, "cannot open blob store at " + root, e);
        }
        return store;
    }

    @Override
    public Optional<BlobReader> open(Digest digest) {
        ensureOpen();
        try {
            return Optional.of(new FileBlobReader(FileChannel.open(pathOf(digest), StandardOpenOption.READ)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.IO, "cannot open blob " + digest, e);
        }
    }

    @Override
    public Optional<Long> findSize(Digest digest) {
        ensureOpen();
        try {
            return Optional.of(Files.size(pathOf(digest)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.IO, "cannot stat blob " + digest, e);
        }
    }

    @Override
    public BlobWriter create(Digest expected, long expectedSize) {
        ensureOpen();
        try {
            // createTempFile picks a random name with CREATE_NEW, so concurrent writers never share a file.
            Path temp = Files.createTempFile(tmp, "blob-", ".part");
            return new FileBlobWriter(temp, pathOf(expected), expected, expectedSize);
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.IO, "cannot start writing blob " + expected, e);
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

    /** Marks the store closed; readers and writers already open keep working until closed themselves. */
    @Override
    public void close() {
        closed = true;
    }

    /** Where the bytes of {@code digest} live (or would live): {@code blobs/<algorithm>/<xx>/<hex>}. */
    Path pathOf(Digest digest) {
        String hex = digest.encoded();
        return blobs.resolve(digest.algorithm()).resolve(hex.substring(0, 2)).resolve(hex);
    }

    /** The directory of writes in progress. */
    Path tempDirectory() {
        return tmp;
    }

    private void sweepTemp() throws IOException {
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(tmp)) {
            for (Path leftover : leftovers) {
                Files.deleteIfExists(leftover);
            }
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new StorageException(StorageException.Kind.IO, "blob store is closed");
        }
    }
}
