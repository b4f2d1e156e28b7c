package dev.wharf.proxy.upstream;

import dev.wharf.storage.Digest;
import dev.wharf.storage.RepositoryName;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream in memory that counts calls and fails the next calls as scripted, then succeeds. It can hold calls at a
 * gate to keep them in flight. Thread-safe.
 */
final class ScriptedUpstream implements UpstreamClient {
    static final RepositoryName REPO = RepositoryName.parse("library/app");
    static final Digest BLOB = Digest.sha256(new byte[] {1, 2, 3});
    static final ManifestHead HEAD =
            new ManifestHead(Optional.of(BLOB), "application/vnd.oci.image.manifest.v1+json", 3);

    private final Queue<UpstreamException> failures = new ConcurrentLinkedQueue<>();
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger closedBlobs = new AtomicInteger();
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private volatile CountDownLatch entered = new CountDownLatch(0);

    @Override
    public String name() {
        return "registry.test";
    }

    /** The next {@code times} calls fail with {@code kind}. */
    ScriptedUpstream fail(UpstreamException.Kind kind, int times) {
        for (int i = 0; i < times; i++) {
            failures.add(UpstreamFailures.of(kind));
        }
        return this;
    }

    /** The next call fails with 429 and this {@code Retry-After}. */
    ScriptedUpstream rateLimit(Duration retryAfter) {
        failures.add(new UpstreamException(
                UpstreamException.Kind.RATE_LIMITED, 429, Optional.of(retryAfter), "fake upstream: 429", null));
        return this;
    }

    /** The next call fails as a request that timed out does (for a stalled body, with no HttpTimeoutException). */
    ScriptedUpstream timeOut() {
        failures.add(UpstreamFailures.timeout());
        return this;
    }

    /** Calls wait until {@link #release()}; {@link #awaitEntered} waits until {@code count} of them arrived. */
    void hold(int count) {
        gate = new CountDownLatch(1);
        entered = new CountDownLatch(count);
    }

    void awaitEntered() throws InterruptedException {
        entered.await();
    }

    void release() {
        gate.countDown();
    }

    int calls() {
        return calls.get();
    }

    int closedBlobs() {
        return closedBlobs.get();
    }

    @Override
    public ManifestHead headManifest(RepositoryName repo, String reference) {
        answer();
        return HEAD;
    }

    @Override
    public ManifestResponse fetchManifest(RepositoryName repo, String reference) {
        answer();
        return new ManifestResponse(new byte[] {1, 2, 3}, HEAD.mediaType(), HEAD.digest());
    }

    @Override
    public BlobResponse fetchBlob(RepositoryName repo, Digest digest) {
        answer();
        return new BlobResponse() {
            @Override
            public long contentLength() {
                return 3;
            }

            @Override
            public InputStream body() {
                return new ByteArrayInputStream(new byte[] {1, 2, 3});
            }

            @Override
            public void close() {
                closedBlobs.incrementAndGet();
            }
        };
    }

    @Override
    public List<String> fetchTags(RepositoryName repo) {
        answer();
        return List.of("1.0");
    }

    private void answer() {
        calls.incrementAndGet();
        entered.countDown();
        try {
            gate.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        UpstreamException failure = failures.poll();
        if (failure != null) {
            throw failure;
        }
    }
}
