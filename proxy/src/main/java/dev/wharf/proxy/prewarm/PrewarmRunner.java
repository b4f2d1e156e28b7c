package dev.wharf.proxy.prewarm;

import dev.wharf.config.PrewarmRule;
import dev.wharf.proxy.pull.PullThrough;
import dev.wharf.proxy.pull.Reference;
import dev.wharf.proxy.pull.Target;
import dev.wharf.storage.Digest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Runs a rule now: plans it ({@link Planner}), then stores each planned image by its digest through pull's
 * {@link PullThrough#ensureImage} (the same coalesced, verified fills as clients, honouring the upstream's rate
 * limits, {@code Retry-After} and breaker), with its referrers when the rule asks ({@link ReferrerFetch}), and records
 * the images stored as the rule's pins. Blocks the calling thread.
 */
public final class PrewarmRunner {
    private final Planner planner;
    private final PullThrough pull;
    private final PinStore pins;
    private final Clock clock;

    public PrewarmRunner(PullThrough pull, PinStore pins, Clock clock) {
        this.planner = new Planner(pull);
        this.pull = pull;
        this.pins = pins;
        this.clock = clock;
    }

    /** Runs {@code rule}, telling {@code listener} of each image; failures are in the result, never thrown. */
    public RunResult run(PrewarmRule rule, RunListener listener) {
        Instant started = clock.instant();
        RulePlan plan = planner.plan(rule);
        plan.failures().forEach((key, why) -> listener.failed(rule, key, why));
        Map<String, String> failures = new LinkedHashMap<>(plan.failures());
        List<PinStore.Pin> stored = new ArrayList<>();
        Tally tally = new Tally();
        ReferrerFetch referrers = new ReferrerFetch(pull, planner);
        for (ImagePlan image : plan.images()) {
            Target target = Planner.target(image, rule);
            String key = Planner.key(rule, image.repository(), image.reference());
            try {
                Planner.await(
                        pull.ensureImage(target, Reference.parse(image.digest().toString()), Planner.platforms(rule)));
            } catch (RuntimeException e) {
                String reason = Planner.describe(e);
                failures.put(key, reason);
                listener.image(rule, image, Optional.of(reason));
                continue;
            }
            tally.count(image);
            List<String> digests = new ArrayList<>();
            image.manifests().forEach(d -> digests.add(d.toString()));
            image.blobs().forEach(b -> digests.add(b.digest().toString()));
            if (rule.referrers()) {
                try {
                    for (ImagePlan referrer : referrers.store(target, image.manifests(), digests)) {
                        tally.count(referrer);
                        tally.referrers++;
                    }
                } catch (RuntimeException e) {
                    String reason = "referrers: " + Planner.describe(e);
                    failures.put(key + " referrers", reason);
                    listener.failed(rule, key + " referrers", reason);
                }
            }
            stored.add(new PinStore.Pin(
                    image.repository(), image.reference(), image.digest().toString(), digests));
            listener.image(rule, image, Optional.empty());
        }
        Instant finished = clock.instant();
        int images = stored.size();
        // An image that failed this time stays pinned as its last successful run left it.
        pins.find(rule.name())
                .ifPresent(previous -> previous.images().stream()
                        .filter(pin -> failedThisTime(rule, pin, failures))
                        .forEach(stored::add));
        pins.put(rule.name(), new PinStore.RulePins(finished, stored));
        return new RunResult(
                rule.name(),
                started,
                finished,
                plan.selected(),
                images,
                tally.referrers,
                tally.blobs,
                tally.fetched,
                tally.cached,
                failures);
    }

    /** The plan of {@code rule}, without storing any blob. */
    public RulePlan plan(PrewarmRule rule) {
        return planner.plan(rule);
    }

    private static boolean failedThisTime(PrewarmRule rule, PinStore.Pin pin, Map<String, String> failures) {
        String repository = pin.repository() == null ? rule.repository() : pin.repository();
        return failures.containsKey(Planner.TAGS)
                || failures.containsKey(Planner.CATALOG)
                || (rule.repositoryIsGlob() && failures.containsKey(repository))
                || failures.containsKey(Planner.key(rule, repository, pin.reference()));
    }

    /** Blobs of one run: each counts once, as fetched when the plan found it missing, else as cached. */
    private static final class Tally {
        private final Set<Digest> counted = new HashSet<>();
        int referrers;
        int blobs;
        long fetched;
        long cached;

        void count(ImagePlan image) {
            for (BlobRef blob : image.blobs()) {
                if (counted.add(blob.digest())) {
                    if (image.missing().contains(blob)) {
                        blobs++;
                        fetched += blob.size();
                    } else {
                        cached += blob.size();
                    }
                }
            }
        }
    }
}
