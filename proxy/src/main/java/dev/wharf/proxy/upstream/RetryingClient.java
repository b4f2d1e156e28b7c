package dev.wharf.proxy.upstream;

import dev.wharf.storage.Digest;
import dev.wharf.storage.RepositoryName;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * Retries calls that failed with {@code UNAVAILABLE} or {@code RATE_LIMITED}, waiting between attempts with
 * exponential backoff and full jitter, or for the upstream's {@code Retry-After} when it sent one. A
 * {@code Retry-After} longer than the cap is not waited for: that failure is thrown at once, so the client hears the
 * 429. Every call here is idempotent; a blob is retried only when the call threw, i.e. before its body began. An attempt
 * that timed out and other kinds are never retried.
 */
public final class RetryingClient implements UpstreamClient {
    /** How many times and how long to wait. */
    public record Policy(int attempts, Duration base, Duration cap, Duration maxRetryAfter) {
        /** Three attempts, 200 ms doubling up to 5 s, a {@code Retry-After} of at most 10 s honoured. */
        public static Policy defaults(int attempts) {
            return new Policy(attempts, Duration.ofMillis(200), Duration.ofSeconds(5), Duration.ofSeconds(10));
        }

        public Policy {
            if (attempts < 1) {
                throw new IllegalArgumentException("attempts must be at least 1");
            }
            Objects.requireNonNull(base, "base");
            Objects.requireNonNull(cap, "cap");
            Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
        }
    }

    private final UpstreamClient delegate;
    private final Policy policy;
    private final Sleeper sleeper;
    private final DoubleSupplier jitter;

    /** {@code jitter} yields values in [0, 1); each backoff is that fraction of the exponential bound. */
    public RetryingClient(UpstreamClient delegate, Policy policy, Sleeper sleeper, DoubleSupplier jitter) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.jitter = Objects.requireNonNull(jitter, "jitter");
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
        return call(() -> delegate.fetchBlob(repo, digest));
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
        for (int attempt = 1; ; attempt++) {
            try {
                return upstreamCall.get();
            } catch (UpstreamException e) {
                Optional<Duration> wait = waitBefore(attempt, e);
                if (wait.isEmpty()) {
                    throw e;
                }
                try {
                    sleeper.sleep(wait.get());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** How long to wait before attempt {@code attempt + 1}; empty when {@code failure} must be thrown now. */
    private Optional<Duration> waitBefore(int attempt, UpstreamException failure) {
        boolean retryable = failure.kind() == UpstreamException.Kind.UNAVAILABLE
                || failure.kind() == UpstreamException.Kind.RATE_LIMITED;
        // An attempt that timed out (connect, headers or a stalled body) has already cost the caller a whole timeout;
        // another one would multiply the time a client waits before it is served stale or fails, which the
        // configured timeouts are meant to bound.
        if (!retryable || attempt >= policy.attempts() || failure.timedOut()) {
            return Optional.empty();
        }
        Optional<Duration> retryAfter = failure.retryAfter();
        if (retryAfter.isPresent()) {
            return retryAfter.get().compareTo(policy.maxRetryAfter()) > 0 ? Optional.empty() : retryAfter;
        }
        long bound = policy.base().toMillis() << Math.min(attempt - 1, 20);
        long capped = Math.min(bound, policy.cap().toMillis());
        return Optional.of(Duration.ofMillis((long) (jitter.getAsDouble() * capped)));
    }
}
