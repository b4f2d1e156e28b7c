package dev.wharf.storage.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.storage.LinkStore;
import dev.wharf.storage.LinkStoreContract;
import dev.wharf.storage.RepositoryName;
import dev.wharf.storage.StorageException;
import dev.wharf.storage.Tag;
import dev.wharf.storage.UpstreamName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileLinkStoreTest extends LinkStoreContract {
    @TempDir
    Path root;

    @Override
    protected LinkStore newLinks() {
        return FileLinkStore.open(root);
    }

    @Test
    void linksLiveWhereTheLayoutSays() throws Exception {
        links.putTag(HUB, NGINX, Tag.parse("latest"), link("m"));
        links.putMediaType(digest("m"), INDEX);
        links.putLink(HUB, NGINX, digest("layer"));

        String hex = digest("m").encoded();
        assertEquals(
                "v1\n" + digest("m") + "\napplication/vnd.oci.image.manifest.v1+json\n" + T0 + "\n",
                Files.readString(root.resolve("repositories/docker.io/library/nginx/_tags/latest")));
        assertEquals(
                INDEX + "\n", Files.readString(root.resolve("media-types/sha256/" + hex.substring(0, 2) + "/" + hex)));
        assertTrue(Files.isRegularFile(root.resolve("repositories/docker.io/library/nginx/_links/sha256/"
                + digest("layer").encoded())));
        assertEquals(0, temps());
    }

    @Test
    void linksSurviveAReopen() {
        links.putTag(HUB, NGINX, Tag.parse("1.27"), link("1.27"));
        links.putMediaType(digest("m"), INDEX);

        LinkStore reopened = FileLinkStore.open(root);

        assertEquals(Optional.of(link("1.27")), reopened.findTag(HUB, NGINX, Tag.parse("1.27")));
        assertEquals(Optional.of(INDEX), reopened.findMediaType(digest("m")));
    }

    @Test
    void tempLeftoversAreSweptAtOpenAndSpoolsKept() throws Exception {
        Path leftover = Files.writeString(root.resolve("tmp/link-1.tmp"), "half a link");
        Path spool = Files.writeString(root.resolve("tmp/blob-1.part"), "a spool in progress");

        FileLinkStore.open(root);

        assertFalse(Files.exists(leftover));
        assertTrue(Files.exists(spool));
    }

    @Test
    void filesThatAreNoTagsAreNotListed() throws Exception {
        links.putTag(HUB, NGINX, Tag.parse("1.0"), link("1.0"));
        Path tags = root.resolve("repositories/docker.io/library/nginx/_tags");
        Files.writeString(tags.resolve(".hidden"), "not a tag");
        Files.writeString(tags.resolve("-dash"), "not a tag");

        assertEquals(List.of("1.0"), links.listTags(HUB, NGINX));
    }

    @Test
    void anUnreadableLinkFailsWithIo() throws Exception {
        Path tags = Files.createDirectories(root.resolve("repositories/docker.io/library/nginx/_tags"));
        Files.writeString(tags.resolve("broken"), "v9\nwhatever\n");

        StorageException e = assertThrows(StorageException.class, () -> links.findTag(HUB, NGINX, Tag.parse("broken")));
        assertEquals(StorageException.Kind.IO, e.kind());
    }

    @Test
    void namesThatCouldLeaveTheRootCannotBeMade() {
        for (String upstream : List.of("..", ".", "a/b", "a/../b", "", "A.io", "host:0", "host:65536", "a..b")) {
            assertThrows(IllegalArgumentException.class, () -> UpstreamName.parse(upstream), upstream);
        }
        assertThrows(IllegalArgumentException.class, () -> RepositoryName.parse("a/../b"));
        assertThrows(IllegalArgumentException.class, () -> RepositoryName.parse("_tags"));
        assertThrows(IllegalArgumentException.class, () -> Tag.parse(".."));
        assertThrows(IllegalArgumentException.class, () -> Tag.parse("a/b"));
    }

    private long temps() throws Exception {
        try (Stream<Path> files = Files.list(root.resolve("tmp"))) {
            return files.count();
        }
    }
}
