package dev.wharf.storage;

/** The check every {@link BlobWriter} makes before it publishes: size (when known) and digest. */
public final class Verification {
    private Verification() {}

    /**
     * Throws {@link StorageException} of kind CORRUPT unless {@code written} bytes hashing to {@code hash} are what
     * {@code expected} and {@code expectedSize} (ignored when negative) describe.
     */
    public static void check(Digest expected, long expectedSize, long written, byte[] hash) {
        if (expectedSize >= 0 && written != expectedSize) {
            throw new StorageException(
                    StorageException.Kind.CORRUPT,
                    "blob " + expected + " has " + written + " bytes, expected " + expectedSize);
        }
        if (!expected.matches(hash)) {
            throw new StorageException(StorageException.Kind.CORRUPT, "bytes do not hash to " + expected);
        }
    }
}
