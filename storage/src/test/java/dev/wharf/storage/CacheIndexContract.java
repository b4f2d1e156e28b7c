package dev.wharf.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link CacheIndex} must do; each implementation's test extends this. */
public abstract class CacheIndexContract {
    protected static final String HUB = "docker.io";
    protected static final RepositoryName NGINX = RepositoryName.parse("library/nginx");
    protected static final Instant T0 = Instant.parse("2025-01-02T03:04:05.123456789Z");

    protected CacheIndex index;

    /** A fresh, empty index. */
    protected abstract CacheIndex newIndex() throws Exception;

    @BeforeEach
    void openIndex() throws Exception {
        index = newIndex();
    }

    @AfterEach
    void closeIndex() {
        index.close();
    }

    @Test
    void tagRoundTripsAndIsReplaced() {
        TagEntry first = tagEntry("one");
        TagEntry second =
                new TagEntry(digest("two"), "application/vnd.oci.image.index.v1+json", T0.plusSeconds(60), T0);

        index.putTag(HUB, NGINX, Tag.parse("latest"), first);
        assertEquals(Optional.of(first), index.findTag(HUB, NGINX, Tag.parse("latest")));

        index.putTag(HUB, NGINX, Tag.parse("latest"), second);
        assertEquals(Optional.of(second), index.findTag(HUB, NGINX, Tag.parse("latest")));
    }

    @Test
    void aDeletedTagIsGoneAndItsNeighboursStay() {
        index.putTag(HUB, NGINX, Tag.parse("latest"), tagEntry("one"));
        index.putTag(HUB, NGINX, Tag.parse("1.0"), tagEntry("two"));
        index.findTag(HUB, NGINX, Tag.parse("latest"));

        index.deleteTag(HUB, NGINX, Tag.parse("latest"));
        index.deleteTag(HUB, NGINX, Tag.parse("never"));

        assertTrue(index.findTag(HUB, NGINX, Tag.parse("latest")).isEmpty());
        assertEquals(List.of("1.0"), index.listTags(HUB, NGINX));
    }

    @Test
    void unknownTagIsEmpty() {
        assertTrue(index.findTag(HUB, NGINX, Tag.parse("nope")).isEmpty());
        assertEquals(List.of(), index.listTags(HUB, NGINX));
    }

    @Test
    void listTagsIsSortedLexically() {
        for (String tag : List.of("latest", "1.27", "1.3", "1.27.1", "Alpine", "_x")) {
            index.putTag(HUB, NGINX, Tag.parse(tag), tagEntry(tag));
        }

        assertEquals(List.of("1.27", "1.27.1", "1.3", "Alpine", "_x", "latest"), index.listTags(HUB, NGINX));
    }

    @Test
    void repositoriesWithCommonPrefixesStayApart() {
        RepositoryName a = RepositoryName.parse("a");
        RepositoryName ab = RepositoryName.parse("ab");
        RepositoryName aSlashB = RepositoryName.parse("a/b");
        index.putTag(HUB, a, Tag.parse("1"), tagEntry("a1"));
        index.putTag(HUB, ab, Tag.parse("2"), tagEntry("ab2"));
        index.putTag(HUB, aSlashB, Tag.parse("3"), tagEntry("ab3"));

        assertEquals(List.of("1"), index.listTags(HUB, a));
        assertEquals(List.of("2"), index.listTags(HUB, ab));
        assertEquals(List.of("3"), index.listTags(HUB, aSlashB));
        assertTrue(index.findTag(HUB, a, Tag.parse("2")).isEmpty());
    }

    @Test
    void upstreamsStayApart() {
        index.putTag("ghcr.io", NGINX, Tag.parse("1"), tagEntry("ghcr"));
        index.putTag("ghcr.io.evil", NGINX, Tag.parse("2"), tagEntry("evil"));
        index.markSeen("ghcr.io", NGINX, digest("ghcr"));

        assertEquals(List.of("1"), index.listTags("ghcr.io", NGINX));
        assertEquals(List.of(), index.listTags(HUB, NGINX));
        assertTrue(index.findTag(HUB, NGINX, Tag.parse("1")).isEmpty());
        assertFalse(index.isSeen(HUB, NGINX, digest("ghcr")));
    }

    @Test
    void digestRoundTripsAndDeletes() {
        DigestEntry entry = new DigestEntry(1234, "application/vnd.oci.image.manifest.v1+json", T0);

        index.putDigest(digest("m"), entry);
        assertEquals(Optional.of(entry), index.findDigest(digest("m")));

        index.deleteDigest(digest("m"));
        index.deleteDigest(digest("m"));
        assertTrue(index.findDigest(digest("m")).isEmpty());
    }

    @Test
    void seenIsPerUpstreamRepository() {
        index.markSeen(HUB, NGINX, digest("layer"));
        index.markSeen(HUB, NGINX, digest("layer"));

        assertTrue(index.isSeen(HUB, NGINX, digest("layer")));
        assertFalse(index.isSeen(HUB, RepositoryName.parse("library/nginxx"), digest("layer")));
        assertFalse(index.isSeen(HUB, NGINX, digest("other")));
    }

    @Test
    void forEachDigestVisitsAllAndAllowsDeletes() {
        Map<Digest, DigestEntry> put = new TreeMap<>((x, y) -> x.toString().compareTo(y.toString()));
        for (int i = 0; i < 5; i++) {
            DigestEntry entry = new DigestEntry(i, "", T0.plusSeconds(i));
            put.put(digest("d" + i), entry);
            index.putDigest(digest("d" + i), entry);
        }

        List<Digest> visited = new ArrayList<>();
        index.forEachDigest((digest, entry) -> {
            assertEquals(put.get(digest), entry);
            visited.add(digest);
            index.deleteDigest(digest);
        });

        assertEquals(put.keySet(), new HashSet<>(visited));
        put.keySet().forEach(d -> assertTrue(index.findDigest(d).isEmpty()));
    }

    @Test
    void forEachTagVisitsEveryTagOfEveryRepositoryAndAllowsDeletes() {
        RepositoryName app = RepositoryName.parse("org/app");
        RepositoryName appx = RepositoryName.parse("org/app/x");
        index.putTag("docker.io", app, Tag.parse("1.0"), tagEntry("a"));
        index.putTag("docker.io", appx, Tag.parse("latest"), tagEntry("b"));
        index.putTag("ghcr.io", app, Tag.parse("1.0"), tagEntry("c"));

        List<String> visited = new ArrayList<>();
        index.forEachTag((upstream, repository, tag, entry) -> {
            visited.add(upstream + "/" + repository + ":" + tag.value() + "=" + entry.digest());
            index.deleteTag(upstream, repository, tag);
        });

        visited.sort(null);
        assertEquals(
                List.of(
                        "docker.io/org/app/x:latest=" + digest("b"),
                        "docker.io/org/app:1.0=" + digest("a"),
                        "ghcr.io/org/app:1.0=" + digest("c")),
                visited);
        assertTrue(index.findTag("docker.io", app, Tag.parse("1.0")).isEmpty());
    }

    @Test
    void closedIndexRefusesWork() {
        index.close();

        StorageException e = assertThrows(StorageException.class, () -> index.findDigest(digest("x")));
        assertEquals(StorageException.Kind.IO, e.kind());
    }

    protected static Digest digest(String seed) {
        return Digest.sha256(seed.getBytes(StandardCharsets.UTF_8));
    }

    protected static TagEntry tagEntry(String seed) {
        return new TagEntry(digest(seed), "application/vnd.oci.image.manifest.v1+json", T0, T0.plusSeconds(5));
    }
}
