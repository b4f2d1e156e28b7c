package dev.wharf.storage;

/** A storage failure with a kind that the HTTP edge maps to a status. */
public final class StorageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Kind {
        /** The bytes written do not match the expected digest or size; nothing was published. */
        CORRUPT,
        /** The disk or index failed (full, unreadable, closed). */
        IO,
        /** A remote store (a bucket) could not be reached or refused the request; it may answer again later. */
        UNAVAILABLE
    }

    private final Kind kind;

    public StorageException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public StorageException(Kind kind, String message) {
        this(kind, message, null);
    }

    /** The kind of failure. */
    public Kind kind() {
        return kind;
    }
}
