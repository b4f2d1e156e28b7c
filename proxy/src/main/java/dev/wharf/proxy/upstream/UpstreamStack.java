package dev.wharf.proxy.upstream;

import dev.wharf.config.UpstreamPolicy;
import java.time.Clock;
import java.time.Duration;
import java.util.function.DoubleSupplier;

/** Wraps a registry client in the decorators an upstream's policy asks for. */
public final class UpstreamStack {
    /** How long a caller waits for a concurrency permit before failing. */
    static final Duration MAX_PERMIT_WAIT = Duration.ofSeconds(30);

    private UpstreamStack() {}

    /** A composed client and the circuit breaker inside it, whose state callers may watch. */
    public record Assembled(UpstreamClient client, CircuitBreakerClient breaker) {}

    /** As {@link #assemble}, for callers that need only the client. */
    public static UpstreamClient of(
            UpstreamClient registry, UpstreamPolicy policy, Clock clock, Sleeper sleeper, DoubleSupplier jitter) {
        return assemble(registry, policy, clock, sleeper, jitter).client();
    }

    /**
     * Outermost first: a remembered 404 costs nothing; an open circuit fails at once, before any retry waits, and
     * counts one failure per caller rather than one per attempt; retries wait without holding a concurrency permit;
     * the limit counts only calls on the wire (a blob's until its body is closed).
     */
    public static Assembled assemble(
            UpstreamClient registry, UpstreamPolicy policy, Clock clock, Sleeper sleeper, DoubleSupplier jitter) {
        UpstreamClient limited = new ConcurrencyLimitedClient(registry, policy.maxConcurrent(), MAX_PERMIT_WAIT);
        UpstreamClient retrying =
                new RetryingClient(limited, RetryingClient.Policy.defaults(1 + policy.retries()), sleeper, jitter);
        CircuitBreakerClient breaker = new CircuitBreakerClient(
                retrying, policy.breaker().failures(), policy.breaker().openFor(), clock);
        return new Assembled(new NegativeCachingClient(breaker, policy.negativeCacheTtl(), clock), breaker);
    }
}
