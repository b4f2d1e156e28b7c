package dev.wharf.storage.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** File operations that survive a crash once they return: every new name is fsynced into its directory. */
final class Durable {
    private Durable() {}

    /** Creates {@code directory} and any missing parents, fsyncing each new one into its parent. */
    static void createDirectories(Path directory) throws IOException {
        if (Files.isDirectory(directory)) {
            return;
        }
        createDirectories(directory.getParent());
        try {
            Files.createDirectory(directory);
        } catch (FileAlreadyExistsException e) {
            // Created meanwhile by another thread: it fsyncs it.
            return;
        }
        fsyncDirectory(directory.getParent());
    }

    /**
     * Replaces {@code target} with {@code bytes} whole: written to a temp file in {@code tmp} (same filesystem),
     * fsynced, renamed over the target, and the rename fsynced. A reader sees the old bytes or the new, never a mix.
     */
    static void write(Path tmp, Path target, byte[] bytes) throws IOException {
        Path temp = Files.createTempFile(tmp, "link-", ".tmp");
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer src = ByteBuffer.wrap(bytes);
                while (src.hasRemaining()) {
                    out.write(src);
                }
                out.force(true);
            }
            createDirectories(target.getParent());
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        fsyncDirectory(target.getParent());
    }

    /** Creates {@code target} empty unless it exists. */
    static void touch(Path target) throws IOException {
        createDirectories(target.getParent());
        try {
            Files.createFile(target);
        } catch (FileAlreadyExistsException e) {
            return;
        }
        fsyncDirectory(target.getParent());
    }

    static void fsyncDirectory(Path directory) throws IOException {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }
}
