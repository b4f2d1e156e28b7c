package dev.wharf.proxy.upstream;

import dev.wharf.storage.Digest;
import dev.wharf.storage.RepositoryName;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Stops calling an upstream that is known to be down. After {@code failures} consecutive {@code UNAVAILABLE} outcomes
 * the circuit opens: every call fails at once for {@code openFor}. Then one trial call goes through (half-open); its
 * success closes the circuit, its failure opens it again. Any answer from the upstream, even a 404 or 429, counts as
 * success: the upstream is up. Thread-safe.
 */
public final class CircuitBreakerClient implements UpstreamClient {
    /** Where the circuit stands. */
    public enum State {
        CLOSED,
        OPEN,
        HALF_OPEN
    }

    private final UpstreamClient delegate;
    private final int failures;
    private final Duration openFor;
    private final Clock clock;

    // Guarded by this.
    private State state = State.CLOSED;
    private int consecutiveFailures;
    private Instant openedAt = Instant.MIN;
    private boolean trialInFlight;

    public CircuitBreakerClient(UpstreamClient delegate, int failures, Duration openFor, Clock clock) {
        if (failures < 1) {
            throw new IllegalArgumentException("failures must be at least 1");
        }
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.failures = failures;
        this.openFor = Objects.requireNonNull(openFor, "openFor");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The current state; an open circuit whose period has passed still reads {@code OPEN} until the next call. */
    public synchronized State state() {
        return state;
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

    /** Only whether the response began counts; a body that fails later is the caller's to report. */
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
        admit();
        T result;
        try {
            result = upstreamCall.get();
        } catch (UpstreamException e) {
            if (e.kind() == UpstreamException.Kind.UNAVAILABLE) {
                failed();
            } else {
                succeeded();
            }
            throw e;
        } catch (RuntimeException | Error e) {
            released();
            throw e;
        }
        succeeded();
        return result;
    }

    private synchronized void admit() {
        if (state == State.OPEN && !clock.instant().isBefore(openedAt.plus(openFor))) {
            state = State.HALF_OPEN;
        }
        if (state == State.OPEN || (state == State.HALF_OPEN && trialInFlight)) {
            throw new UpstreamException(
                    UpstreamException.Kind.UNAVAILABLE, "upstream " + delegate.name() + " is down (circuit open)");
        }
        if (state == State.HALF_OPEN) {
            trialInFlight = true;
        }
    }

    private synchronized void succeeded() {
        state = State.CLOSED;
        consecutiveFailures = 0;
        trialInFlight = false;
    }

    private synchronized void failed() {
        consecutiveFailures++;
        if (state == State.HALF_OPEN || consecutiveFailures >= failures) {
            state = State.OPEN;
            openedAt = clock.instant();
        }
        trialInFlight = false;
    }

    private synchronized void released() {
        trialInFlight = false;
    }
}
