package dev.wharf.proxy.pull;

import dev.wharf.config.Defaults;
import dev.wharf.storage.BlobInfo;
import dev.wharf.storage.BlobStatter;
import dev.wharf.storage.Digest;
import dev.wharf.storage.FillLease;
import dev.wharf.storage.FillLeases;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes turns with the other replicas sharing the store, so that one of them fetches a digest from the upstream and
 * the others wait for its blob to appear in the store: a fill first holds the digest's lease ({@link FillLeases}),
 * renewed while it runs. A replica that dies mid-fill stops renewing; its lease expires after {@link #LEASE_TTL} and
 * a waiting replica takes over. With one replica (a local store) the lease is always granted at once.
 */
final class FillTurns {
    /** How long a lease lasts unless renewed; renewed every third of it. */
    static final Duration LEASE_TTL = Defaults.FILL_LEASE_TTL;

    private static final Logger LOG = LoggerFactory.getLogger(FillTurns.class);
    private static final Duration FIRST_POLL = Duration.ofMillis(50);
    private static final Duration MAX_POLL = Duration.ofSeconds(1);

    private final FillLeases leases;
    private final BlobStatter blobs;
    private final Scheduler scheduler;
    private final Executor storage;

    FillTurns(FillLeases leases, BlobStatter blobs, Scheduler scheduler, Executor storage) {
        this.leases = leases;
        this.blobs = blobs;
        this.scheduler = scheduler;
        this.storage = storage;
    }

    /** This replica's turn at a digest: a lease to fill it under, or the size of the blob another replica stored. */
    record Turn(Optional<FillLease> lease, long storedSize) {
        static Turn mine(FillLease lease) {
            return new Turn(Optional.of(lease), -1);
        }

        static Turn storedElsewhere(long size) {
            return new Turn(Optional.empty(), size);
        }
    }

    /**
     * Blocks until this replica holds the lease on {@code digest} and the blob is still not stored, or until the
     * blob is stored; the caller fills under the lease (see {@link #keepRenewed}) and closes it. Throws {@link
     * InterruptedException} when interrupted while waiting, and the store's failures.
     */
    Turn await(Digest digest) throws InterruptedException {
        Duration poll = FIRST_POLL;
        boolean waited = false;
        while (true) {
            Optional<FillLease> lease = leases.tryAcquire(digest, LEASE_TTL);
            if (lease.isPresent()) {
                // Another replica may have stored it between our last look and its release.
                Optional<BlobInfo> stored = blobs.stat(digest);
                if (stored.isPresent()) {
                    lease.get().release();
                    return Turn.storedElsewhere(stored.get().size());
                }
                return Turn.mine(lease.get());
            }
            if (!waited) {
                LOG.debug("another replica is filling {}; waiting for its blob", digest);
                waited = true;
            }
            Thread.sleep(poll.toMillis());
            poll = poll.multipliedBy(2).compareTo(MAX_POLL) > 0 ? MAX_POLL : poll.multipliedBy(2);
            Optional<BlobInfo> stored = blobs.stat(digest);
            if (stored.isPresent()) {
                return Turn.storedElsewhere(stored.get().size());
            }
        }
    }

    /**
     * Renews {@code lease} every third of its time to live until the returned action is run (or a renewal finds it
     * lost, which is logged: another replica may then fetch the same digest, and both store the same verified bytes).
     */
    Runnable keepRenewed(FillLease lease) {
        Renewal renewal = new Renewal(lease);
        renewal.schedule();
        return renewal::stop;
    }

    /** The renewals of one lease: each scheduled a third of the time to live after the last, run on a worker. */
    private final class Renewal {
        private final FillLease lease;
        private volatile boolean stopped;
        private volatile Runnable pending = () -> {};

        Renewal(FillLease lease) {
            this.lease = lease;
        }

        void schedule() {
            pending = scheduler.after(LEASE_TTL.dividedBy(3), this::handOff);
            if (stopped) {
                pending.run();
            }
        }

        void stop() {
            stopped = true;
            pending.run();
        }

        private void handOff() {
            try {
                storage.execute(this::renew);
            } catch (RejectedExecutionException e) {
                // Shutting down: the lease expires by itself.
            }
        }

        private void renew() {
            if (stopped) {
                return;
            }
            try {
                if (!lease.renew()) {
                    LOG.warn("lost the lease on filling {}: another replica may fetch it too", lease.digest());
                    return;
                }
            } catch (RuntimeException e) {
                LOG.warn("cannot renew the lease on filling {}: {}", lease.digest(), e.toString());
            }
            schedule();
        }
    }
}
