package dev.wharf.storage.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.storage.CacheIndex;
import dev.wharf.storage.CacheIndexContract;
import dev.wharf.storage.Digest;
import dev.wharf.storage.DigestEntry;
import dev.wharf.storage.RepositoryName;
import dev.wharf.storage.Tag;
import dev.wharf.storage.TagEntry;
import dev.wharf.storage.memory.MemoryIndex;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

class CachingIndexTest extends CacheIndexContract {
    private CountingIndex counting;

    @Override
    protected CacheIndex newIndex() {
        counting = new CountingIndex(new MemoryIndex());
        return new CachingIndex(counting, 100);
    }

    @Test
    void repeatedFindsAreServedFromCache() {
        index.putTag(HUB, NGINX, Tag.parse("latest"), tagEntry("a"));
        index.putDigest(digest("a"), new DigestEntry(10, "", T0));

        for (int i = 0; i < 3; i++) {
            assertEquals(Optional.of(tagEntry("a")), index.findTag(HUB, NGINX, Tag.parse("latest")));
            assertEquals(Optional.of(new DigestEntry(10, "", T0)), index.findDigest(digest("a")));
        }

        assertEquals(0, counting.finds.get());
    }

    @Test
    void coldEntryIsLoadedOnceThenCached() {
        counting.putTag(HUB, NGINX, Tag.parse("1.0"), tagEntry("b"));

        index.findTag(HUB, NGINX, Tag.parse("1.0"));
        index.findTag(HUB, NGINX, Tag.parse("1.0"));

        assertEquals(1, counting.finds.get());
    }

    @Test
    void absenceIsNotCached() {
        index.findDigest(digest("later"));
        counting.putDigest(digest("later"), new DigestEntry(1, "", T0));

        assertEquals(Optional.of(new DigestEntry(1, "", T0)), index.findDigest(digest("later")));
        assertEquals(2, counting.finds.get());
    }

    @Test
    void writesReplaceAndDeletesInvalidateCachedEntries() {
        index.putDigest(digest("c"), new DigestEntry(1, "", T0));
        index.findDigest(digest("c"));

        index.putDigest(digest("c"), new DigestEntry(1, "", T0.plusSeconds(9)));
        assertEquals(Optional.of(new DigestEntry(1, "", T0.plusSeconds(9))), index.findDigest(digest("c")));

        index.deleteDigest(digest("c"));
        assertTrue(index.findDigest(digest("c")).isEmpty());
        assertTrue(counting.findDigest(digest("c")).isEmpty());
    }

    @Test
    void aSeenMarkIsAnsweredFromMemoryOnceTrue() {
        counting.markSeen(HUB, NGINX, digest("s"));
        assertTrue(index.isSeen(HUB, NGINX, digest("s")));
        index.markSeen(HUB, NGINX, digest("t"));

        for (int i = 0; i < 3; i++) {
            assertTrue(index.isSeen(HUB, NGINX, digest("s")));
            assertTrue(index.isSeen(HUB, NGINX, digest("t")));
        }

        assertEquals(1, counting.seenLookups.get());
    }

    @Test
    void anUnseenRepositoryIsAskedAgain() {
        assertFalse(index.isSeen(HUB, NGINX, digest("u")));
        counting.markSeen(HUB, NGINX, digest("u"));

        assertTrue(index.isSeen(HUB, NGINX, digest("u")));
        assertEquals(2, counting.seenLookups.get());
    }

    @Test
    void cacheIsBoundedByEntryCount() {
        CachingIndex small = new CachingIndex(counting, 2);
        for (int i = 0; i < 20; i++) {
            counting.putDigest(digest("n" + i), new DigestEntry(i, "", T0));
        }
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 20; i++) {
                small.findDigest(digest("n" + i));
            }
        }

        // At most 2 of the 20 can be answered from cache in the second round.
        assertTrue(counting.finds.get() >= 38, "delegate finds: " + counting.finds.get());
    }

    /** Passes everything to a real index and counts the lookups that reach it. */
    private static final class CountingIndex implements CacheIndex {
        final AtomicInteger finds = new AtomicInteger();
        final AtomicInteger seenLookups = new AtomicInteger();
        private final CacheIndex delegate;

        CountingIndex(CacheIndex delegate) {
            this.delegate = delegate;
        }

        @Override
        public Optional<TagEntry> findTag(String upstream, RepositoryName repository, Tag tag) {
            finds.incrementAndGet();
            return delegate.findTag(upstream, repository, tag);
        }

        @Override
        public void putTag(String upstream, RepositoryName repository, Tag tag, TagEntry entry) {
            delegate.putTag(upstream, repository, tag, entry);
        }

        @Override
        public void deleteTag(String upstream, RepositoryName repository, Tag tag) {
            delegate.deleteTag(upstream, repository, tag);
        }

        @Override
        public List<String> listTags(String upstream, RepositoryName repository) {
            return delegate.listTags(upstream, repository);
        }

        @Override
        public Optional<DigestEntry> findDigest(Digest digest) {
            finds.incrementAndGet();
            return delegate.findDigest(digest);
        }

        @Override
        public void putDigest(Digest digest, DigestEntry entry) {
            delegate.putDigest(digest, entry);
        }

        @Override
        public void deleteDigest(Digest digest) {
            delegate.deleteDigest(digest);
        }

        @Override
        public void forEachDigest(BiConsumer<Digest, DigestEntry> action) {
            delegate.forEachDigest(action);
        }

        @Override
        public void forEachTag(TagVisitor visitor) {
            delegate.forEachTag(visitor);
        }

        @Override
        public void markSeen(String upstream, RepositoryName repository, Digest digest) {
            delegate.markSeen(upstream, repository, digest);
        }

        @Override
        public boolean isSeen(String upstream, RepositoryName repository, Digest digest) {
            seenLookups.incrementAndGet();
            return delegate.isSeen(upstream, repository, digest);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
