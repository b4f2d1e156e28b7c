package dev.wharf.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * One blob on its way into a store: a file on local disk, in a directory the caller chooses, hashed as it is written,
 * readable from other threads while it grows, then verified and handed to a {@link BlobIngester} to publish. Every
 * store fills through it: the disk store renames it into place ({@link #moveTo}), the memory store copies it and a
 * remote store uploads it ({@link #copyTo}). A spool never publishes itself, and closing it removes its file unless a
 * store moved it away, so an abandoned spool leaves nothing. Its files, in the directory given:
 *
 * <pre>
 * directory/
 * └── blob-*.part     one per spool; a crash leaves them behind, {@link #sweep} deletes them
 * </pre>
 *
 * <p>Each write hashes its bytes on the calling thread while the channel's own thread writes them to the file, so the
 * hash never waits behind the disk nor the disk behind the hash. Writes, verification and publishing happen one at a
 * time (from one thread, or from threads handing over to each other); readers from {@link #openReader()} and
 * {@link #written()} may be used on any thread.
 */
public final class Spool implements AutoCloseable {
    private static final String PREFIX = "blob-";
    private static final String SUFFIX = ".part";
    private static final int COPY_BUFFER = 64 * 1024;

    private enum State {
        WRITING,
        VERIFIED,
        MOVED,
        CLOSED
    }

    private final Path file;
    private final Digest expected;
    private final long expectedSize;
    private final MessageDigest hasher;
    private final AsynchronousFileChannel channel;
    // Written by the writing thread, read by readers on others.
    private volatile long written;
    private volatile State state = State.WRITING;

    private Spool(Path file, Digest expected, long expectedSize, AsynchronousFileChannel channel) {
        this.file = file;
        this.expected = expected;
        this.expectedSize = expectedSize;
        this.hasher = expected.newHasher();
        this.channel = channel;
    }

    /**
     * Creates an empty spool in {@code directory} (which must exist) for bytes that must hash to {@code expected}
     * and, when {@code expectedSize >= 0}, have that size; throws {@link StorageException} of kind IO when it cannot.
     */
    public static Spool create(Path directory, Digest expected, long expectedSize) {
        Path file = null;
        try {
            // createTempFile picks a random name with CREATE_NEW, so concurrent spools never share a file.
            file = Files.createTempFile(directory, PREFIX, SUFFIX);
            return new Spool(
                    file, expected, expectedSize, AsynchronousFileChannel.open(file, StandardOpenOption.WRITE));
        } catch (IOException e) {
            StorageException failure = new StorageException(StorageException.Kind.IO, "cannot spool " + expected, e);
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException suppressed) {
                    failure.addSuppressed(suppressed);
                }
            }
            throw failure;
        }
    }

    /**
     * Deletes the files that spools left in {@code directory} when a process stopped, and returns how many; other
     * files are kept. Call before creating spools there. Throws {@link StorageException} of kind IO on failure.
     */
    public static int sweep(Path directory) {
        int swept = 0;
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(directory, PREFIX + "*" + SUFFIX)) {
            for (Path leftover : leftovers) {
                if (Files.deleteIfExists(leftover)) {
                    swept++;
                }
            }
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.IO, "cannot sweep spools in " + directory, e);
        }
        return swept;
    }

    /** The digest the bytes must hash to. */
    public Digest digest() {
        return expected;
    }

    /** The size the bytes must have; negative when it was not known. */
    public long expectedSize() {
        return expectedSize;
    }

    /** The directory the spool's file lives in. */
    public Path directory() {
        return file.getParent();
    }

    /** Bytes written so far; callable from any thread. */
    public long written() {
        return written;
    }

    /** True once {@link #verify()} succeeded, until the spool is moved or closed: the state a publish needs. */
    public boolean isVerified() {
        return state == State.VERIFIED;
    }

    /**
     * Appends all remaining bytes of {@code src}, hashing them. Throws {@link IllegalStateException} once the spool is
     * verified, moved or closed, and {@link StorageException} of kind IO on failure, after closing the spool.
     */
    public void write(ByteBuffer src) {
        requireState(State.WRITING);
        ByteBuffer toHash = src.duplicate();
        long at = written;
        try {
            Future<Integer> pending = channel.write(src, at);
            hasher.update(toHash);
            while (true) {
                at += pending.get();
                // Readers may read what the file holds so far.
                written = at;
                if (!src.hasRemaining()) {
                    return;
                }
                pending = channel.write(src, at);
            }
        } catch (ExecutionException e) {
            throw discard(
                    new StorageException(StorageException.Kind.IO, "cannot write spool of " + expected, e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw discard(
                    new StorageException(StorageException.Kind.IO, "interrupted writing spool of " + expected, e));
        }
    }

    /**
     * A reader of the bytes written so far, usable on another thread while this spool grows: its size is what has been
     * written when asked, and reads at or past it return -1. It keeps reading after {@link #moveTo}; after
     * {@link #close()} its reads may fail. Throws {@link IllegalStateException} once the spool is moved or closed, and
     * {@link StorageException} of kind IO when it cannot be opened. The caller closes it.
     */
    public BlobReader openReader() {
        requireState(State.WRITING, State.VERIFIED);
        try {
            return new SpoolReader(FileChannel.open(file, StandardOpenOption.READ), this::written);
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.IO, "cannot read spool of " + expected, e);
        }
    }

    /**
     * Checks digest and size of what was written; afterwards nothing more can be written, and calling it again does
     * nothing. On a mismatch closes the spool, removing its file, and throws {@link StorageException} of kind
     * CORRUPT. Throws {@link IllegalStateException} once the spool is moved or closed.
     */
    public void verify() {
        if (state == State.VERIFIED) {
            return;
        }
        requireState(State.WRITING);
        try {
            Verification.check(expected, expectedSize, written, hasher.digest());
        } catch (StorageException e) {
            throw discard(e);
        }
        state = State.VERIFIED;
    }

    /**
     * Hands the verified bytes in order to {@code sink}, in buffers of at most 64 KiB that it must consume before it
     * returns. Throws {@link IllegalStateException} unless verified, {@link StorageException} of kind IO on failure.
     */
    public void copyTo(Consumer<ByteBuffer> sink) {
        requireState(State.VERIFIED);
        long size = written;
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(COPY_BUFFER, Math.max(size, 1)));
            for (long at = 0; at < size; ) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), size - at));
                int n = in.read(buffer, at);
                if (n < 0) {
                    throw new IOException("spool file is shorter than what was written");
                }
                at += n;
                sink.accept(buffer.flip());
            }
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.IO, "cannot copy spool of " + expected, e);
        }
    }

    /**
     * Makes the verified bytes durable, renames the file to {@code target} (same filesystem, existing directory) and
     * makes the rename durable; returns false, removing the file instead, when {@code target} exists already (it holds
     * the same verified bytes). Either way the spool is spent: {@link #close()} does nothing and readers keep
     * reading. Throws {@link IllegalStateException} unless verified, {@link StorageException} of kind IO on failure.
     */
    public boolean moveTo(Path target) {
        requireState(State.VERIFIED);
        try {
            channel.force(true);
            channel.close();
            if (Files.exists(target)) {
                Files.delete(file);
                state = State.MOVED;
                return false;
            }
            // rename(2): the blob appears whole or not at all. A spool of the same digest may win a race to the same
            // target; its bytes verified against the same digest, so either file is correct.
            Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
            state = State.MOVED;
            try (FileChannel directory = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
                directory.force(true);
            }
            return true;
        } catch (IOException e) {
            throw discard(new StorageException(StorageException.Kind.IO, "cannot move spool of " + expected, e));
        }
    }

    /**
     * Removes the spool's file unless a store moved it away; safe to call more than once. Throws {@link
     * StorageException} of kind IO when the file cannot be removed.
     */
    @Override
    public void close() {
        if (state == State.MOVED || state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        try {
            channel.close();
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.IO, "cannot remove spool of " + expected, e);
        }
    }

    private StorageException discard(StorageException failure) {
        try {
            close();
        } catch (StorageException e) {
            failure.addSuppressed(e);
        }
        return failure;
    }

    private void requireState(State... allowed) {
        State now = state;
        for (State s : allowed) {
            if (s == now) {
                return;
            }
        }
        throw new IllegalStateException("spool is " + now.name().toLowerCase(Locale.ROOT));
    }
}
