package dev.wharf.storage.fs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    static void fsyncDirectory(Path directory) throws IOException {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }
}
