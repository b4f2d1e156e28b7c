package dev.wharf.proxy.pull;

import dev.wharf.storage.CacheIndex;
import dev.wharf.storage.Digest;
import dev.wharf.storage.DigestEntry;
import dev.wharf.storage.RepositoryName;
import dev.wharf.storage.Tag;
import dev.wharf.storage.TagEntry;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

/**
 * An index that, once armed, holds the next caller of a find method right after its lookup, so that a test can
 * finish other work between a caller's read and what it does with it.
 */
final class PausingIndex implements CacheIndex {
    private final CacheIndex delegate;
    private final AtomicBoolean armed = new AtomicBoolean();
    private final CountDownLatch paused = new CountDownLatch(1);
    private final CountDownLatch resume = new CountDownLatch(1);

    PausingIndex(CacheIndex delegate) {
        this.delegate = delegate;
    }

    /** The next findTag or findDigest, by any thread, pauses after its lookup until {@link #resume()}. */
    void arm() {
        armed.set(true);
    }

    boolean awaitPaused() throws InterruptedException {
        return paused.await(10, TimeUnit.SECONDS);
    }

    void resume() {
        resume.countDown();
    }

    @Override
    public Optional<TagEntry> findTag(String upstream, RepositoryName repository, Tag tag) {
        return pauseIfArmed(delegate.findTag(upstream, repository, tag));
    }

    @Override
    public Optional<DigestEntry> findDigest(Digest digest) {
        return pauseIfArmed(delegate.findDigest(digest));
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
    public void markSeen(String upstream, RepositoryName repository, Digest digest) {
        delegate.markSeen(upstream, repository, digest);
    }

    @Override
    public boolean isSeen(String upstream, RepositoryName repository, Digest digest) {
        return delegate.isSeen(upstream, repository, digest);
    }

    @Override
    public void close() {
        delegate.close();
    }

    private <T> T pauseIfArmed(T found) {
        if (armed.compareAndSet(true, false)) {
            paused.countDown();
            try {
                resume.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return found;
    }
}
