package dev.wharf.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link LinkStore} must do; each implementation's test extends this. */
public abstract class LinkStoreContract {
    protected static final UpstreamName HUB = UpstreamName.parse("docker.io");
    protected static final RepositoryName NGINX = RepositoryName.parse("library/nginx");
    protected static final Instant T0 = Instant.parse("2025-01-02T03:04:05.123456789Z");
    protected static final String INDEX = "application/vnd.oci.image.index.v1+json";

    protected LinkStore links;

    /** A fresh, empty store. */
    protected abstract LinkStore newLinks() throws Exception;

    @BeforeEach
    void openLinks() throws Exception {
        links = newLinks();
    }

    @Test
    void aTagLinkRoundTripsAndIsReplaced() {
        TagLink first = link("one");
        TagLink second = new TagLink(digest("two"), INDEX, T0.plusSeconds(60));

        links.putTag(HUB, NGINX, Tag.parse("latest"), first);
        assertEquals(Optional.of(first), links.findTag(HUB, NGINX, Tag.parse("latest")));

        links.putTag(HUB, NGINX, Tag.parse("latest"), second);
        assertEquals(Optional.of(second), links.findTag(HUB, NGINX, Tag.parse("latest")));
    }

    @Test
    void anUnknownTagIsEmpty() {
        assertTrue(links.findTag(HUB, NGINX, Tag.parse("nope")).isEmpty());
        assertEquals(List.of(), links.listTags(HUB, NGINX));
    }

    @Test
    void tagsAreListedLexically() {
        for (String tag : List.of("latest", "1.27", "1.3", "1.27.1", "Alpine", "_x")) {
            links.putTag(HUB, NGINX, Tag.parse(tag), link(tag));
        }

        assertEquals(List.of("1.27", "1.27.1", "1.3", "Alpine", "_x", "latest"), links.listTags(HUB, NGINX));
    }

    @Test
    void aDeletedTagIsGoneAndItsNeighboursStay() {
        links.putTag(HUB, NGINX, Tag.parse("latest"), link("one"));
        links.putTag(HUB, NGINX, Tag.parse("1.0"), link("two"));

        links.deleteTag(HUB, NGINX, Tag.parse("latest"));
        links.deleteTag(HUB, NGINX, Tag.parse("never"));
        links.deleteTag(HUB, RepositoryName.parse("never/there"), Tag.parse("latest"));

        assertTrue(links.findTag(HUB, NGINX, Tag.parse("latest")).isEmpty());
        assertEquals(List.of("1.0"), links.listTags(HUB, NGINX));
    }

    @Test
    void repositoriesWithCommonPrefixesStayApart() {
        RepositoryName a = RepositoryName.parse("a");
        RepositoryName ab = RepositoryName.parse("ab");
        RepositoryName aSlashB = RepositoryName.parse("a/b");
        links.putTag(HUB, a, Tag.parse("1"), link("a1"));
        links.putTag(HUB, ab, Tag.parse("2"), link("ab2"));
        links.putTag(HUB, aSlashB, Tag.parse("3"), link("ab3"));
        links.putLink(HUB, aSlashB, digest("layer"));

        assertEquals(List.of("1"), links.listTags(HUB, a));
        assertEquals(List.of("2"), links.listTags(HUB, ab));
        assertEquals(List.of("3"), links.listTags(HUB, aSlashB));
        assertTrue(links.findTag(HUB, a, Tag.parse("3")).isEmpty());
        assertFalse(links.hasLink(HUB, a, digest("layer")));
    }

    @Test
    void upstreamsStayApart() {
        UpstreamName ghcr = UpstreamName.parse("ghcr.io");
        UpstreamName evil = UpstreamName.parse("ghcr.io.evil");
        UpstreamName local = UpstreamName.parse("ghcr.io:5000");
        links.putTag(ghcr, NGINX, Tag.parse("1"), link("ghcr"));
        links.putTag(evil, NGINX, Tag.parse("2"), link("evil"));
        links.putLink(ghcr, NGINX, digest("ghcr"));

        assertEquals(List.of("1"), links.listTags(ghcr, NGINX));
        assertEquals(List.of(), links.listTags(local, NGINX));
        assertTrue(links.findTag(HUB, NGINX, Tag.parse("1")).isEmpty());
        assertFalse(links.hasLink(HUB, NGINX, digest("ghcr")));
        assertFalse(links.hasLink(local, NGINX, digest("ghcr")));
    }

    @Test
    void aMediaTypeRoundTripsIsReplacedAndDeleted() {
        links.putMediaType(digest("m"), "application/vnd.oci.image.manifest.v1+json");
        links.putMediaType(digest("m"), INDEX);

        assertEquals(Optional.of(INDEX), links.findMediaType(digest("m")));
        assertTrue(links.findMediaType(digest("other")).isEmpty());

        links.deleteMediaType(digest("m"));
        links.deleteMediaType(digest("m"));
        assertTrue(links.findMediaType(digest("m")).isEmpty());
    }

    @Test
    void aMediaTypeMustFitOnOneLine() {
        assertThrows(IllegalArgumentException.class, () -> links.putMediaType(digest("m"), "a\nb"));
        assertThrows(IllegalArgumentException.class, () -> links.putMediaType(digest("m"), ""));
        assertTrue(links.findMediaType(digest("m")).isEmpty());
    }

    @Test
    void linksArePerRepositoryAndIdempotent() {
        links.putLink(HUB, NGINX, digest("layer"));
        links.putLink(HUB, NGINX, digest("layer"));

        assertTrue(links.hasLink(HUB, NGINX, digest("layer")));
        assertFalse(links.hasLink(HUB, RepositoryName.parse("library/nginxx"), digest("layer")));
        assertFalse(links.hasLink(HUB, NGINX, digest("other")));
    }

    @Test
    void aReaderSeesTheOldLinkOrTheNewNeverAMix() throws Exception {
        Tag tag = Tag.parse("moving");
        TagLink[] both = {link("a"), link("b")};
        links.putTag(HUB, NGINX, tag, both[0]);
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try {
            Future<?> writing = writer.submit(() -> {
                for (int i = 0; i < 100; i++) {
                    links.putTag(HUB, NGINX, tag, both[i % 2]);
                }
            });
            while (!writing.isDone()) {
                TagLink seen = links.findTag(HUB, NGINX, tag).orElseThrow();
                assertTrue(seen.equals(both[0]) || seen.equals(both[1]), "read " + seen);
            }
            writing.get(30, TimeUnit.SECONDS);
        } finally {
            writer.shutdownNow();
        }
    }

    protected static Digest digest(String seed) {
        return Digest.sha256(seed.getBytes(StandardCharsets.UTF_8));
    }

    protected static TagLink link(String seed) {
        return new TagLink(digest(seed), "application/vnd.oci.image.manifest.v1+json", T0);
    }
}
