package dev.wharf.proxy.prewarm;

import dev.wharf.proxy.pull.PullThrough;
import dev.wharf.proxy.pull.Reference;
import dev.wharf.proxy.pull.Referrers;
import dev.wharf.proxy.pull.Target;
import dev.wharf.storage.Digest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Stores the referrers of an image's manifests (signatures, SBOMs, attestations): for each manifest, its referrers
 * index through pull's referrers (the upstream's referrers API, else the referrers tag; kept under the referrers tag so
 * that clients are answered offline), then each referrer listed, whole, through the same coalesced fills as images.
 * Blocks the calling thread.
 */
final class ReferrerFetch {
    private final PullThrough pull;
    private final Planner planner;

    ReferrerFetch(PullThrough pull, Planner planner) {
        this.pull = pull;
        this.planner = planner;
    }

    /**
     * Stores the referrers of {@code subjects} in {@code target}, adding every digest kept (each referrers index, each
     * referrer's manifests and blobs) to {@code pinned}; returns the referrers stored, each planned before it was
     * stored so that its blobs count as fetched or cached. Throws the first failure.
     */
    List<ImagePlan> store(Target target, List<Digest> subjects, List<String> pinned) {
        Set<Digest> referrers = new LinkedHashSet<>();
        for (Digest subject : subjects) {
            Referrers found = Planner.await(pull.referrers(target, subject, Optional.empty()));
            pinned.add(Digest.sha256(found.body()).toString());
            referrers.addAll(ManifestParts.entries(found.body()));
        }
        List<ImagePlan> stored = new ArrayList<>();
        for (Digest referrer : referrers) {
            ImagePlan plan = planner.planImage(target, referrer.toString(), Set.of());
            Planner.await(pull.ensureImage(target, Reference.parse(referrer.toString()), Set.of()));
            plan.manifests().forEach(d -> pinned.add(d.toString()));
            plan.blobs().forEach(b -> pinned.add(b.digest().toString()));
            stored.add(plan);
        }
        return stored;
    }
}
