package dev.wharf.proxy.pull;

import dev.wharf.storage.BlobContent;
import dev.wharf.storage.BlobReader;

/** Where the bytes of a requested blob come from: the store, or a fill still under way. The receiver closes it. */
public sealed interface BlobSource extends AutoCloseable {
    /** Releases the reader. */
    @Override
    void close();

    /** How the cache came by the blob for this request. */
    Outcome outcome();

    /** The blob is published: {@code content} is all of it, as the store opened it (file, ranged reads or redirect). */
    record Stored(BlobContent content, Outcome outcome) implements BlobSource {
        /** A blob that was in the cache. */
        public Stored(BlobContent content) {
            this(content, Outcome.HIT);
        }

        @Override
        public void close() {
            content.close();
        }
    }

    /**
     * The blob is being filled: its size is known ({@link Fill#size()}), {@code partial} reads what has landed so far
     * (and keeps reading once the fill is published).
     */
    record Filling(Fill fill, BlobReader partial, Outcome outcome) implements BlobSource {
        @Override
        public void close() {
            partial.close();
        }
    }
}
