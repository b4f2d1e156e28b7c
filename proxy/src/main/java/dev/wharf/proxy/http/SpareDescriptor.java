package dev.wharf.proxy.http;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One file descriptor held in reserve (an open {@code /dev/null}), given back when the process runs out so that a
 * waiting connection can be accepted and refused instead of hanging, and taken again when descriptors are free.
 * Confined to the listener's event loop.
 */
final class SpareDescriptor implements AutoCloseable {
    private static final Path NULL_DEVICE = Path.of("/dev/null");
    private FileChannel held;

    SpareDescriptor() {
        take();
    }

    /** Takes the spare if not held; true when it is held afterwards. */
    boolean take() {
        if (held != null) {
            return true;
        }
        try {
            held = FileChannel.open(NULL_DEVICE, StandardOpenOption.READ);
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** Gives the spare back; true when one was held. */
    boolean release() {
        if (held == null) {
            return false;
        }
        close();
        return true;
    }

    @Override
    public void close() {
        try {
            if (held != null) {
                held.close();
            }
        } catch (IOException e) {
            // Closing /dev/null does not fail in a way that matters.
        } finally {
            held = null;
        }
    }
}
