package dev.wharf.storage;

/**
 * What start-up does to bring the index in line with the store, kept cheap so that start-up cost does not grow with
 * the number of blobs (on a remote store, one request per blob). Temp leftovers are swept when a store opens (for
 * example {@code FileBlobStore.open}, or {@link Spool#sweep} for a spool directory of one's own), and an index entry
 * whose bytes are gone is dropped lazily, when a read finds them gone ({@code index.ReconcilingBlobStore}). The store
 * is the truth: the index is only a cache of what the store holds.
 */
public final class StartupCheck {
    private StartupCheck() {}

    /**
     * Checks nothing per entry: visits no index entry and stats no blob, so it neither blocks on nor fails because of
     * either side. Returns how many index entries it removed, which is always 0; tag entries, digest entries and seen
     * marks are all kept.
     */
    public static long reconcile(BlobStore store, CacheIndex index) {
        return 0;
    }
}
