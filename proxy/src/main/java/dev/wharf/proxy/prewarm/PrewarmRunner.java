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
 * limits, {@code Retry-After} and breaker), and records the images stored as the rule's pins. Blocks the calling
 * thread.
 */
public final class PrewarmRunner {
    private static final String TAGS = Planner.TAGS;

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
        Target target = Planner.target(rule);
        Map<String, String> failures = new LinkedHashMap<>(plan.failures());
        List<PinStore.Pin> stored = new ArrayList<>();
        int blobs = 0;
        long fetched = 0;
        long cached = 0;
        Set<Digest> counted = new HashSet<>();
        for (ImagePlan image : plan.images()) {
            try {
                Planner.await(
                        pull.ensureImage(target, Reference.parse(image.digest().toString()), Planner.platforms(rule)));
            } catch (RuntimeException e) {
                String reason = Planner.describe(e);
                failures.put(image.reference(), reason);
                listener.image(rule, image, Optional.of(reason));
                continue;
            }
            // Tags of one run may share blobs: each counts once, as fetched when this run's plan found it missing.
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
            List<String> digests = new ArrayList<>();
            image.manifests().forEach(d -> digests.add(d.toString()));
            image.blobs().forEach(b -> digests.add(b.digest().toString()));
            stored.add(new PinStore.Pin(image.reference(), image.digest().toString(), digests));
            listener.image(rule, image, Optional.empty());
        }
        Instant finished = clock.instant();
        int images = stored.size();
        // An image that failed this time stays pinned as its last successful run left it.
        pins.find(rule.name())
                .ifPresent(previous -> previous.images().stream()
                        .filter(pin -> failures.containsKey(pin.reference()) || failures.containsKey(TAGS))
                        .forEach(stored::add));
        pins.put(rule.name(), new PinStore.RulePins(finished, stored));
        return new RunResult(
                rule.name(),
                started,
                finished,
                plan.images().size() + plan.failures().size() - (plan.failures().containsKey(TAGS) ? 1 : 0),
                images,
                blobs,
                fetched,
                cached,
                failures);
    }

    /** The plan of {@code rule}, without storing any blob. */
    public RulePlan plan(PrewarmRule rule) {
        return planner.plan(rule);
    }
}
