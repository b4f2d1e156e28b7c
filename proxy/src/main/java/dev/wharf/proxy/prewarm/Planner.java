package dev.wharf.proxy.prewarm;

import dev.wharf.config.PrewarmRule;
import dev.wharf.proxy.pull.Manifest;
import dev.wharf.proxy.pull.Platform;
import dev.wharf.proxy.pull.PullThrough;
import dev.wharf.proxy.pull.Reference;
import dev.wharf.proxy.pull.Target;
import dev.wharf.proxy.upstream.UpstreamException;
import dev.wharf.storage.Digest;
import dev.wharf.storage.RepositoryName;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

/**
 * Plans a rule through the pull-through cache, never over HTTP: for a repository glob, lists the upstream's catalog
 * and plans each repository it matches; lists the tags (unless the rule names them), selects,
 * resolves each reference to its manifest and the chosen platforms' manifests (stored as a client's pull would store
 * them), and asks the store which of their blobs it holds. Fetches no blob. Blocks the calling thread, which must not
 * be one the cache serves from.
 */
public final class Planner {
    /** Indexes inside indexes are followed this deep, as pull's image fetch does. */
    private static final int MAX_DEPTH = 2;
    /** The failure key of a listing that failed. */
    static final String TAGS = "tags";
    /** The failure key of a catalog listing that failed (repository globs). */
    static final String CATALOG = "catalog";
    /** How upstreams without a catalog API answer. */
    private static final Set<UpstreamException.Kind> NO_CATALOG = EnumSet.of(
            UpstreamException.Kind.NOT_FOUND, UpstreamException.Kind.UNAUTHORIZED, UpstreamException.Kind.DENIED);

    private final PullThrough pull;

    public Planner(PullThrough pull) {
        this.pull = pull;
    }

    /** The plan of {@code rule} now; failures are in the plan, never thrown. */
    public RulePlan plan(PrewarmRule rule) {
        RulePlan.Builder plan = new RulePlan.Builder(rule);
        if (!rule.repositoryIsGlob()) {
            planRepository(plan, RepositoryName.parse(rule.repository()));
            return plan.build();
        }
        List<String> catalog;
        try {
            catalog = await(pull.catalog(rule.upstream()));
        } catch (RuntimeException e) {
            plan.failed(CATALOG, catalogFailure(rule, e));
            return plan.build();
        }
        for (String name :
                catalog.stream().filter(rule::selectsRepository).sorted().toList()) {
            RepositoryName repository;
            try {
                repository = RepositoryName.parse(name);
            } catch (IllegalArgumentException e) {
                plan.rejected(name, "not a valid repository name");
                continue;
            }
            planRepository(plan, repository);
        }
        return plan.build();
    }

    private void planRepository(RulePlan.Builder plan, RepositoryName repository) {
        PrewarmRule rule = plan.rule();
        Target target = new Target(rule.upstream(), repository);
        TagSelection.Result selection;
        if (TagSelection.isExact(rule.tags())) {
            selection = TagSelection.select(rule.tags(), List.of());
        } else {
            try {
                selection = TagSelection.select(rule.tags(), await(pull.tags(target)));
            } catch (RuntimeException e) {
                plan.failed(rule.repositoryIsGlob() ? repository.value() : TAGS, describe(e));
                return;
            }
        }
        selection.rejected().forEach((tag, why) -> plan.rejected(key(rule, repository.value(), tag), why));
        for (String reference : selection.selected()) {
            try {
                plan.image(planImage(target, reference, platforms(rule)));
            } catch (RuntimeException e) {
                plan.imageFailed(key(rule, repository.value(), reference), describe(e));
            }
        }
    }

    /**
     * How a rule's results name an image: by its reference alone for a rule of one repository, else {@code
     * repository:tag} or {@code repository@digest}.
     */
    static String key(PrewarmRule rule, String repository, String reference) {
        if (!rule.repositoryIsGlob()) {
            return reference;
        }
        return repository + (Digest.isDigest(reference) ? "@" : ":") + reference;
    }

    private static String catalogFailure(PrewarmRule rule, RuntimeException e) {
        String why = describe(e);
        if (e instanceof UpstreamException upstream && NO_CATALOG.contains(upstream.kind())) {
            return "rule " + rule.name() + ": the repository glob " + rule.repository() + " needs the catalog API"
                    + " (GET /v2/_catalog) of upstream " + rule.upstream() + ", which does not offer it to Wharf: "
                    + why;
        }
        return "rule " + rule.name() + ": listing the catalog of upstream " + rule.upstream() + " failed: " + why;
    }

    /** The upstream and repository of {@code image}, which {@code rule} planned. */
    public static Target target(ImagePlan image, PrewarmRule rule) {
        return new Target(rule.upstream(), RepositoryName.parse(image.repository()));
    }

    /** The platforms {@code rule} asks for; empty for all. */
    public static Set<Platform> platforms(PrewarmRule rule) {
        return rule.platforms().stream().map(Platform::parse).collect(Collectors.toUnmodifiableSet());
    }

    ImagePlan planImage(Target target, String reference, Set<Platform> platforms) {
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
        return new ImagePlan(
                target.repository().value(), reference, top.digest(), manifests, chosen, List.copyOf(blobs), missing);
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
