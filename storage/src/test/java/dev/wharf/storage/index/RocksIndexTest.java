package dev.wharf.storage.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.storage.CacheIndex;
import dev.wharf.storage.CacheIndexContract;
import dev.wharf.storage.DigestEntry;
import dev.wharf.storage.StorageException;
import dev.wharf.storage.Tag;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksIndexTest extends CacheIndexContract {
    @TempDir
    Path dir;

    @Override
    protected CacheIndex newIndex() {
        return RocksIndex.open(dir);
    }

    @Test
    void entriesSurviveCloseAndReopen() {
        DigestEntry entry = new DigestEntry(42, "application/vnd.oci.image.manifest.v1+json", T0);
        index.putTag(HUB, NGINX, Tag.parse("1.27"), tagEntry("1.27"));
        index.putDigest(digest("m"), entry);
        index.markSeen(HUB, NGINX, digest("m"));
        index.close();

        index = RocksIndex.open(dir);

        assertEquals(Optional.of(tagEntry("1.27")), index.findTag(HUB, NGINX, Tag.parse("1.27")));
        assertEquals(List.of("1.27"), index.listTags(HUB, NGINX));
        assertEquals(Optional.of(entry), index.findDigest(digest("m")));
        assertTrue(index.isSeen(HUB, NGINX, digest("m")));
    }

    @Test
    void secondOpenOfOneDirectoryFailsWithIo() {
        StorageException e = assertThrows(StorageException.class, () -> RocksIndex.open(dir));

        assertEquals(StorageException.Kind.IO, e.kind());
    }

    @Test
    void upstreamNamesCannotForgeKeys() {
        assertThrows(
                IllegalArgumentException.class,
                () -> index.putTag("docker.io\0library", NGINX, Tag.parse("x"), tagEntry("x")));
        assertThrows(IllegalArgumentException.class, () -> index.listTags("", NGINX));
    }

    @Test
    void closeIsIdempotent() {
        index.close();
        index.close();
    }
}
