package dev.wharf.proxy.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;

/**
 * A small file read again when it changes: each {@link #read()} stats the path (following symlinks, as Kubernetes
 * swaps a mounted Secret's {@code ..data} link) and reads only when its file key (device and inode), modification time
 * or size differ from the last read. Thread-safe.
 */
public final class WatchedFile {
    private final Path path;
    private final int limit;
    private volatile Snapshot last;

    private record Snapshot(Object fileKey, FileTime modified, long size, byte[] content) {
        boolean sameFile(BasicFileAttributes attributes) {
            return Objects.equals(fileKey, attributes.fileKey())
                    && modified.equals(attributes.lastModifiedTime())
                    && size == attributes.size();
        }
    }

    /** A watch on {@code path}, refusing files over {@code limit} bytes. */
    public WatchedFile(Path path, int limit) {
        this.path = path;
        this.limit = limit;
    }

    public Path path() {
        return path;
    }

    /** The file's bytes as they are now; {@link IOException} when it is gone, unreadable or over the limit. */
    public byte[] read() throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
        Snapshot seen = last;
        if (seen != null && seen.sameFile(attributes)) {
            return seen.content();
        }
        byte[] content;
        try (InputStream in = Files.newInputStream(path)) {
            content = in.readNBytes(limit + 1);
        }
        if (content.length > limit) {
            throw new IOException("larger than " + limit / 1024 + " KiB");
        }
        last = new Snapshot(attributes.fileKey(), attributes.lastModifiedTime(), attributes.size(), content);
        return content;
    }

    /** Why reading failed, for a message: never the content. */
    public static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "does not exist";
        }
        return e.getMessage() != null && e.getMessage().startsWith("larger than")
                ? e.getMessage()
                : "cannot be read (" + e.getClass().getSimpleName() + ")";
    }
}
