package dev.wharf.proxy.prewarm;

import dev.wharf.config.PrewarmRule;
import dev.wharf.proxy.pull.Manifest;
import dev.wharf.proxy.pull.Platform;
import dev.wharf.proxy.pull.PullThrough;
import dev.wharf.proxy.pull.Reference;
import dev.wharf.proxy.pull.Target;
import dev.wharf.storage.Digest;
import dev.wharf.storage.RepositoryName;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

/**
 * Plans a rule through the pull-through cache, never over HTTP: lists the tags (unless the rule names them), selects,
 * resolves each reference to its manifest and the chosen platforms' manifests (stored as a client's pull would store
 * them), and asks the store which of their blobs it holds. Fetches no blob. Blocks the calling thread, which must not
 * be one the cache serves from.
 */
public final class Planner {
    /** Indexes inside indexes are followed this deep, as pull's image fetch does. */
    private static final int MAX_DEPTH = 2;
    /** The failure key of a listing that failed. */
    static final String TAGS = "tags";

    private final PullThrough pull;

    public Planner(PullThrough pull) {
        this.pull = pull;
    }

    /** The plan of {@code rule} now; failures are in the plan, never thrown. */
    public RulePlan plan(PrewarmRule rule) {
        Target target = target(rule);
        Map<String, String> failures = new LinkedHashMap<>();
        TagSelection.Result selection;
        if (TagSelection.isExact(rule.tags())) {
            selection = TagSelection.select(rule.tags(), List.of());
        } else {
            try {
                selection = TagSelection.select(rule.tags(), await(pull.tags(target)));
            } catch (RuntimeException e) {
                failures.put(TAGS, describe(e));
                return new RulePlan(rule, List.of(), Map.of(), failures);
            }
        }
        List<ImagePlan> images = new ArrayList<>();
        for (String reference : selection.selected()) {
            try {
                images.add(planImage(target, reference, platforms(rule)));
            } catch (RuntimeException e) {
                failures.put(reference, describe(e));
            }
        }
        return new RulePlan(rule, images, selection.rejected(), failures);
    }

    /** The upstream and repository {@code rule} prewarms. */
    public static Target target(PrewarmRule rule) {
        return new Target(rule.upstream(), RepositoryName.parse(rule.repository()));
    }

    /** The platforms {@code rule} asks for; empty for all. */
    public static Set<Platform> platforms(PrewarmRule rule) {
        return rule.platforms().stream().map(Platform::parse).collect(Collectors.toUnmodifiableSet());
    }

    private ImagePlan planImage(Target target, String reference, Set<Platform> platforms) {
        Manifest top = await(pull.manifest(target, Reference.parse(reference)));
        List<Digest> manifests = new ArrayList<>();
        List<String> chosen = new ArrayList<>();
        Set<BlobRef> blobs = new LinkedHashSet<>();
        collect(target, top, platforms, 0, manifests, chosen, blobs);
        List<BlobRef> missing = new ArrayList<>();
        for (BlobRef blob : blobs) {
            if (await(pull.findStoredSize(blob.digest())).isEmpty()) {
                missing.add(blob);
            }
        }
        return new ImagePlan(reference, top.digest(), manifests, chosen, List.copyOf(blobs), missing);
    }

    private void collect(
            Target target,
            Manifest manifest,
            Set<Platform> platforms,
            int depth,
            List<Digest> manifests,
            List<String> chosen,
            Set<BlobRef> blobs) {
        manifests.add(manifest.digest());
        ManifestParts parts = ManifestParts.of(manifest);
        if (!parts.isIndex()) {
            blobs.addAll(parts.blobs());
            return;
        }
        if (depth >= MAX_DEPTH) {
            throw new IllegalArgumentException("indexes nested deeper than " + MAX_DEPTH + " in " + manifest.digest());
        }
        for (ManifestParts.Entry entry : parts.chosen(platforms)) {
            entry.platform()
                    .map(Platform::toString)
                    .filter(p -> !chosen.contains(p))
                    .ifPresent(chosen::add);
            Manifest child =
                    await(pull.manifest(target, Reference.parse(entry.digest().toString())));
            collect(target, child, platforms, depth + 1, manifests, chosen, blobs);
        }
    }

    /** The result of {@code future}, its failure rethrown unwrapped. */
    static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            throw new CancellationException("interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new CompletionException(e.getCause());
        }
    }

    /** A one-line failure for users: the exception's message (never a credential: upstream errors carry none). */
    static String describe(Throwable failure) {
        Throwable t =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
