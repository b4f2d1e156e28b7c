package dev.wharf.storage.fs;

import dev.wharf.storage.BlobReader;
import dev.wharf.storage.BlobWriter;
import dev.wharf.storage.Digest;
import dev.wharf.storage.StorageException;
import dev.wharf.storage.Verification;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * Writes into a temp file while hashing, then verifies, fsyncs and renames it into place. Not thread-safe, except that
 * partial readers may read from other threads while one thread writes; distinct writers are independent.
 */
final class FileBlobWriter implements BlobWriter {
    private enum State {
        OPEN,
        VERIFIED,
        COMMITTED,
        ABORTED
    }

    private final Path temp;
    private final Path target;
    private final Digest expected;
    private final long expectedSize;
    private final MessageDigest hasher;
    private final FileChannel channel;
    // Written by the writer's thread, read by partial readers on others.
    private volatile long written;
    private volatile State state = State.OPEN;

    FileBlobWriter(Path temp, Path target, Digest expected, long expectedSize) throws IOException {
        this.temp = temp;
        this.target = target;
        this.expected = expected;
        this.expectedSize = expectedSize;
        this.hasher = expected.newHasher();
        try {
            this.channel = FileChannel.open(temp, StandardOpenOption.WRITE);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    @Override
    public void write(ByteBuffer src) {
        ensureOpen();
        ByteBuffer toHash = src.duplicate();
        try {
            while (src.hasRemaining()) {
                written += channel.write(src);
            }
        } catch (IOException e) {
            abort();
            throw new StorageException(StorageException.Kind.IO, "cannot write blob " + expected, e);
        }
        hasher.update(toHash);
    }

    @Override
    public long written() {
        return written;
    }

    @Override
    public BlobReader openPartial() {
        if (state != State.VERIFIED) {
            ensureOpen();
        }
        try {
            return new PartialFileReader(FileChannel.open(temp, StandardOpenOption.READ), this::written);
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.IO, "cannot read partial blob " + expected, e);
        }
    }

    @Override
    public void verify() {
        if (state == State.VERIFIED) {
            return;
        }
        ensureOpen();
        try {
            Verification.check(expected, expectedSize, written, hasher.digest());
        } catch (StorageException e) {
            abort();
            throw e;
        }
        state = State.VERIFIED;
    }

    @Override
    public void commit() {
        if (state == State.COMMITTED) {
            return;
        }
        verify();
        try {
            publish();
        } catch (IOException e) {
            abort();
            throw new StorageException(StorageException.Kind.IO, "cannot publish blob " + expected, e);
        }
        state = State.COMMITTED;
    }

    private void publish() throws IOException {
        channel.force(true);
        channel.close();
        Path fanOut = target.getParent();
        boolean newFanOut = !Files.isDirectory(fanOut);
        if (newFanOut) {
            Files.createDirectories(fanOut);
            fsyncDirectory(fanOut.getParent());
        }
        if (Files.exists(target)) {
            Files.delete(temp);
            return;
        }
        try {
            // rename(2): the blob appears whole or not at all. A concurrent writer of the same digest may win the
            // race; its bytes verified against the same digest, so either file is correct.
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            Files.delete(temp);
            return;
        }
        fsyncDirectory(fanOut);
    }

    private static void fsyncDirectory(Path directory) throws IOException {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    @Override
    public void abort() {
        if (state != State.OPEN && state != State.VERIFIED) {
            return;
        }
        state = State.ABORTED;
        try {
            channel.close();
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.IO, "cannot discard partial blob " + expected, e);
        }
    }

    @Override
    public void close() {
        abort();
    }

    private void ensureOpen() {
        if (state != State.OPEN) {
            throw new IllegalStateException("writer is " + state.name().toLowerCase(Locale.ROOT));
        }
    }
}
