package dev.wharf.proxy.admin;

import dev.wharf.proxy.eviction.CachedImage;
import dev.wharf.proxy.eviction.EvictionPlan;
import dev.wharf.proxy.eviction.Evictor;
import dev.wharf.proxy.eviction.TagRef;
import dev.wharf.storage.RepositoryName;
import dev.wharf.storage.Tag;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * The admin API over what the cache holds, in JSON: the cached repositories with their tags, sizes and last use; the
 * eviction dry run and run-now; purging a tag, a repository or an upstream's content. Every answer is computed on the
 * evictor's thread, never on the event loop.
 */
public final class CacheEndpoints {
    private final Evictor evictor;

    public CacheEndpoints(Evictor evictor) {
        this.evictor = evictor;
    }

    /** Adds {@code GET /cache}, {@code GET /eviction/plan}, {@code POST /eviction/run} and {@code DELETE /cache}. */
    public AdminRoutes addTo(AdminRoutes routes) {
        return routes.get("/cache", request -> evictor.view().thenApply(view -> AdminResponse.json(200, view(view))))
                .get("/eviction/plan", request -> evictor.plan().thenApply(plan -> AdminResponse.json(200, plan(plan))))
                .add(
                        "POST",
                        "/eviction/run",
                        request -> evictor.run().thenApply(plan -> AdminResponse.json(200, plan(plan))))
                .add("DELETE", "/cache", this::purge);
    }

    /** {@code DELETE /cache?upstream=U[&repository=R[&tag=T]]}: what to purge, narrowed by each parameter given. */
    private CompletableFuture<AdminResponse> purge(AdminRequest request) {
        Optional<String> upstream = request.queryParameter("upstream");
        Optional<String> repository = request.queryParameter("repository");
        Optional<String> tag = request.queryParameter("tag");
        if (upstream.isEmpty() || (tag.isPresent() && repository.isEmpty())) {
            return CompletableFuture.completedFuture(AdminResponse.error(
                    400, "give upstream, upstream and repository, or upstream, repository and tag"));
        }
        Predicate<TagRef> which;
        try {
            Optional<RepositoryName> name = repository.map(RepositoryName::parse);
            Optional<Tag> tagName = tag.map(Tag::parse);
            which = ref -> ref.upstream().equals(upstream.get())
                    && name.map(ref.repository()::equals).orElse(true)
                    && tagName.map(ref.tag()::equals).orElse(true);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(AdminResponse.error(400, "invalid repository or tag name"));
        }
        return evictor.purge(which).thenApply(purge -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put(
                    "tagsDeleted",
                    purge.tags().stream().map(TagRef::toString).sorted().toList());
            body.putAll(plan(purge.plan()));
            return AdminResponse.json(purge.tags().isEmpty() ? 404 : 200, body);
        });
    }

    private static Map<String, Object> view(Evictor.CacheView view) {
        Map<String, Map<String, Object>> repositories = new TreeMap<>();
        for (CachedImage image : view.images()) {
            for (TagRef tag : image.tags()) {
                Map<String, Object> repository =
                        repositories.computeIfAbsent(tag.upstream() + "/" + tag.repository(), key -> repository(tag));
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> tags = (List<Map<String, Object>>) repository.get("tags");
                tags.add(Map.of(
                        "tag", tag.tag().value(),
                        "digest", image.root().toString(),
                        "bytes", image.bytes(),
                        "lastUse", image.lastUse().toString()));
                repository.merge("bytes", image.bytes(), (a, b) -> (Long) a + (Long) b);
                repository.merge("lastUse", image.lastUse().toString(), (a, b) -> max((String) a, (String) b));
            }
        }
        List<Map<String, Object>> untagged = new ArrayList<>();
        view.images().stream().filter(i -> i.tags().isEmpty()).forEach(i -> untagged.add(image(i)));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("storedBytes", view.storedBytes());
        body.put("images", view.images().size());
        body.put("repositories", List.copyOf(repositories.values()));
        body.put("untaggedImages", untagged);
        return body;
    }

    private static Map<String, Object> repository(TagRef tag) {
        Map<String, Object> repository = new LinkedHashMap<>();
        repository.put("upstream", tag.upstream());
        repository.put("repository", tag.repository().toString());
        repository.put("bytes", 0L);
        repository.put("lastUse", "");
        repository.put("tags", new ArrayList<Map<String, Object>>());
        return repository;
    }

    private static String max(String a, String b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    static Map<String, Object> plan(EvictionPlan plan) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("storedBytesBefore", plan.storedBefore());
        body.put("storedBytesAfter", plan.storedAfter());
        List<Map<String, Object>> images = new ArrayList<>();
        for (EvictionPlan.Evicted evicted : plan.images()) {
            Map<String, Object> image = image(evicted.image());
            image.put("reason", evicted.reason().label);
            image.put("freedBytes", evicted.freedBytes());
            image.put(
                    "deleted", evicted.deleted().stream().map(Object::toString).toList());
            images.add(image);
        }
        body.put("images", images);
        body.put(
                "orphans",
                plan.orphans().stream()
                        .sorted(Comparator.comparing(o -> o.digest().toString()))
                        .map(o -> Map.of("digest", o.digest().toString(), "bytes", o.bytes()))
                        .toList());
        return body;
    }

    private static Map<String, Object> image(CachedImage image) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("digest", image.root().toString());
        body.put("tags", image.tags().stream().map(TagRef::toString).toList());
        body.put("bytes", image.bytes());
        body.put("lastUse", image.lastUse().toString());
        return body;
    }
}
