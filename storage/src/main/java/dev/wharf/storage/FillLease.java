package dev.wharf.storage;

/**
 * The right, for a while, to fill one digest from the upstream, granted by {@link FillLeases}. Its holder renews it
 * while the fill runs and releases it when done; closing it releases it. Blocks: call from a worker thread.
 */
public interface FillLease extends AutoCloseable {
    /** The digest this lease is for. */
    Digest digest();

    /**
     * Extends the lease by its time to live from now; false when it was lost (it expired and another holder took it,
     * or it was removed), and then it stays lost. Throws {@link StorageException} of kind IO when the store cannot
     * tell.
     */
    boolean renew();

    /**
     * Gives the lease up so another holder may take it at once; does nothing when it was lost or already released.
     * Throws {@link StorageException} of kind IO when the store fails; the lease then expires by itself.
     */
    void release();

    /** Releases the lease. */
    @Override
    default void close() {
        release();
    }
}
