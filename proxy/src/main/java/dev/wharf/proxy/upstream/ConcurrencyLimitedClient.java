package dev.wharf.proxy.upstream;

import dev.wharf.storage.Digest;
import dev.wharf.storage.RepositoryName;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * At most {@code maxConcurrent} calls to one upstream in flight; further callers wait up to {@code maxWait} in
 * arrival order, then fail with {@code UNAVAILABLE}. A blob holds its permit until its response is closed.
 */
public final class ConcurrencyLimitedClient implements UpstreamClient {
    private final UpstreamClient delegate;
    private final Semaphore permits;
    private final Duration maxWait;

    public ConcurrencyLimitedClient(UpstreamClient delegate, int maxConcurrent, Duration maxWait) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.permits = new Semaphore(maxConcurrent, true);
        this.maxWait = Objects.requireNonNull(maxWait, "maxWait");
    }

    /** Permits free right now. */
    public int available() {
        return permits.availablePermits();
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public ManifestHead headManifest(RepositoryName repo, String reference) {
        return call(() -> delegate.headManifest(repo, reference));
    }

    @Override
    public ManifestResponse fetchManifest(RepositoryName repo, String reference) {
        return call(() -> delegate.fetchManifest(repo, reference));
    }

    @Override
    public ManifestResponse fetchReferrers(RepositoryName repo, Digest subject) {
        return call(() -> delegate.fetchReferrers(repo, subject));
    }

    @Override
    public BlobResponse fetchBlob(RepositoryName repo, Digest digest) {
        acquire();
        BlobResponse response;
        try {
            response = delegate.fetchBlob(repo, digest);
        } catch (RuntimeException | Error e) {
            permits.release();
            throw e;
        }
        return new Releasing(response, permits);
    }

    @Override
    public List<String> fetchTags(RepositoryName repo) {
        return call(() -> delegate.fetchTags(repo));
    }

    @Override
    public List<String> fetchCatalog() {
        return call(delegate::fetchCatalog);
    }

    private <T> T call(Supplier<T> upstreamCall) {
        acquire();
        try {
            return upstreamCall.get();
        } finally {
            permits.release();
        }
    }

    private void acquire() {
        boolean acquired;
        try {
            acquired = permits.tryAcquire(maxWait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquired = false;
        }
        if (!acquired) {
            throw new UpstreamException(
                    UpstreamException.Kind.UNAVAILABLE,
                    "upstream " + delegate.name() + ": too many concurrent requests");
        }
    }

    /** Gives the permit back exactly once, on the first close. */
    private static final class Releasing implements BlobResponse {
        private final BlobResponse response;
        private final Semaphore permits;
        private final AtomicBoolean closed = new AtomicBoolean();

        Releasing(BlobResponse response, Semaphore permits) {
            this.response = response;
            this.permits = permits;
        }

        @Override
        public long contentLength() {
            return response.contentLength();
        }

        @Override
        public InputStream body() {
            return response.body();
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                try {
                    response.close();
                } finally {
                    permits.release();
                }
            }
        }
    }
}
