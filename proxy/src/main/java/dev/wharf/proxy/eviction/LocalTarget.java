package dev.wharf.proxy.eviction;

import dev.wharf.storage.Digest;
import dev.wharf.storage.StorageException;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cache as this process alone keeps it: the census is read from the index, last uses are written to the index at
 * each census, and deletes are journaled in {@link EvictionJournal} under the cache directory: tags first, then each
 * digest's index entry before its bytes. A client reading a blob as it goes keeps reading it whole (an open file
 * outlives its name).
 */
final class LocalTarget implements EvictionTarget {
    private static final Logger LOG = LoggerFactory.getLogger(LocalTarget.class);
    /** Digests per journal when an eviction does not fit in one (a digest line is at most 140 bytes). */
    private static final int DIGESTS_PER_PART = 1_000;
    /** Tags per journal part (a tag line is at most about 500 bytes). */
    private static final int TAGS_PER_PART = 400;

    private final EvictionSettings settings;
    private final CacheCensus.References references;
    private final LongSupplier freeBytes;
    private final EvictionJournal journal;

    LocalTarget(EvictionSettings settings, CacheCensus.References references, LongSupplier freeBytes) {
        this.settings = settings;
        this.references = references;
        this.freeBytes = freeBytes;
        this.journal = new EvictionJournal(settings.directory());
    }

    @Override
    public void recover() {
        var left = journal.read();
        if (left.isEmpty()) {
            return;
        }
        LOG.warn(
                "completing an eviction that did not finish: {} tags, {} digests",
                left.get().tags().size(),
                left.get().digests().size());
        try {
            deleteNow(left.get());
        } catch (StorageException e) {
            throw new StorageException(e.kind(), "cannot complete the interrupted eviction", e);
        }
        journal.clear();
    }

    @Override
    public void maintain() {}

    @Override
    public CacheCensus census() {
        settings.uses().flush(settings.usesIndex());
        return CacheCensus.take(settings.index(), settings.store(), settings.uses(), references);
    }

    @Override
    public <T> Optional<T> exclusively(Supplier<T> work) {
        return Optional.of(work.get());
    }

    @Override
    public void delete(List<TagRef> tags, List<Digest> digests) {
        EvictionJournal.Entries all = new EvictionJournal.Entries(tags, digests);
        if (EvictionJournal.fits(all)) {
            journaled(all);
            return;
        }
        // Too much for one journal: the tags first, then the digests in parts, each part whole before the next.
        for (int from = 0; from < tags.size(); from += TAGS_PER_PART) {
            journaled(new EvictionJournal.Entries(
                    tags.subList(from, Math.min(tags.size(), from + TAGS_PER_PART)), List.of()));
        }
        for (int from = 0; from < digests.size(); from += DIGESTS_PER_PART) {
            journaled(new EvictionJournal.Entries(
                    List.of(), digests.subList(from, Math.min(digests.size(), from + DIGESTS_PER_PART))));
        }
    }

    @Override
    public long bytesToFree() {
        long minFree = settings.bounds().minFree();
        if (minFree <= 0) {
            return 0;
        }
        long free = freeBytes.getAsLong();
        return free < 0 ? 0 : Math.max(0, minFree - free);
    }

    @Override
    public long storedAfter(EvictionPlan plan) {
        return plan.storedAfter();
    }

    private void journaled(EvictionJournal.Entries entries) {
        journal.write(entries);
        deleteNow(entries);
        journal.clear();
    }

    /** Tags first, then each digest's index entry before its bytes: nothing kept ever points at deleted bytes. */
    private void deleteNow(EvictionJournal.Entries entries) {
        for (TagRef tag : entries.tags()) {
            settings.index().deleteTag(tag.upstream(), tag.repository(), tag.tag());
        }
        for (Digest digest : entries.digests()) {
            settings.index().deleteDigest(digest);
            settings.hot().invalidate(digest);
            references.forget(digest);
            settings.store().delete(digest);
        }
    }
}
