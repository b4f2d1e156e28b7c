package dev.wharf.proxy.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A tmpfs mounted by the test over a directory (a small filesystem to fill, or a read-only one), unmounted on close.
 * Mounting needs root (the tests run as root in CI); when it is impossible the test fails, saying why.
 */
public final class Tmpfs implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final Path directory;

    private Tmpfs(Path directory) {
        this.directory = directory;
    }

    /** Mounts a tmpfs with {@code options} (like {@code size=64m} or {@code ro,size=1m}) over {@code directory}. */
    public static Tmpfs mount(Path directory, String options) {
        CommandResult result =
                Command.run(TIMEOUT, List.of("mount", "-t", "tmpfs", "-o", options, "tmpfs", directory.toString()));
        if (result.exitCode() != 0) {
            throw new IllegalStateException("cannot mount a tmpfs over " + directory
                    + " (the test needs root and the mount command): " + result.describe());
        }
        return new Tmpfs(directory);
    }

    /** The directory the tmpfs is mounted on. */
    public Path directory() {
        return directory;
    }

    @Override
    public void close() {
        CommandResult result = Command.run(TIMEOUT, List.of("umount", directory.toString()));
        if (result.exitCode() != 0) {
            // Still busy (a file open in it): detach it now, the kernel frees it when the last file closes.
            Command.run(TIMEOUT, List.of("umount", "-l", directory.toString())).requireSuccess();
        }
    }
}
