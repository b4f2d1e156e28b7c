package dev.wharf.proxy.security;

import dev.wharf.config.AccessRule;
import dev.wharf.config.Security;
import dev.wharf.proxy.pull.Target;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@link Gate} of a configuration: the caller is authenticated first when {@code auth} is on ({@code 401}
 * otherwise), then the upstream's access rule is applied ({@code 403 DENIED} for a repository it does not allow or a
 * user it does not name). Credential checks run on two threads of its own with a bounded queue, so a flood of wrong
 * passwords costs at most those threads and is answered {@code 429} beyond the queue. Close it to stop them.
 */
public final class SecurityGate implements Gate, AutoCloseable {
    private static final int CHECK_THREADS = 2;
    private static final int CHECK_QUEUE = 256;

    private final Optional<ClientAuthenticator> authenticator;
    private final Security security;
    private final ThreadPoolExecutor checks;

    private SecurityGate(Security security, ThreadPoolExecutor checks) {
        this.security = security;
        this.checks = checks;
        this.authenticator = security.auth().map(auth -> new ClientAuthenticator(auth, checks));
    }

    /** The gate {@code security} asks for. */
    public static SecurityGate of(Security security) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor checks = new ThreadPoolExecutor(
                CHECK_THREADS, CHECK_THREADS, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(CHECK_QUEUE), r -> {
                    Thread t = new Thread(r, "wharf-auth-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        checks.allowCoreThreadTimeOut(true);
        return new SecurityGate(security, checks);
    }

    /**
     * The gate of the admin API and status page: with {@code auth}, callers authenticated the same way as on the
     * registry API (on the same check threads) who are in {@code auth.admins}, failures counted in {@code meters};
     * without it, {@link AdminGate#OPEN}.
     */
    public AdminGate adminGate(MeterRegistry meters) {
        return authenticator
                .<AdminGate>map(a -> new Administrators(a, security.auth().orElseThrow(), meters))
                .orElse(AdminGate.OPEN);
    }

    @Override
    public CompletableFuture<Void> admit(Caller caller, Optional<Target> target) {
        if (authenticator.isEmpty()) {
            return target.map(t -> decide(Optional.empty(), t)).orElse(CompletableFuture.completedFuture(null));
        }
        CompletableFuture<String> user = authenticator.get().authenticate(caller);
        if (target.isEmpty()) {
            return user.thenApply(u -> null);
        }
        return user.thenCompose(u -> decide(Optional.of(u), target.get()));
    }

    private CompletableFuture<Void> decide(Optional<String> user, Target target) {
        Optional<AccessRule> rule = security.accessFor(target.upstream());
        if (rule.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        if (!rule.get().allowsUser(user)) {
            return CompletableFuture.failedFuture(new Refusal(
                    Refusal.Kind.DENIED, "not allowed to read through upstream " + target.upstream(), List.of()));
        }
        if (!rule.get().allowsRepository(target.repository().toString())) {
            return CompletableFuture.failedFuture(
                    new Refusal(Refusal.Kind.DENIED, "repository not allowed by the access rules", List.of()));
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {
        checks.shutdownNow();
    }
}
