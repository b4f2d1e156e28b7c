package dev.wharf.storage.fs;

import dev.wharf.storage.BlobContent;
import dev.wharf.storage.BlobDeleterContract;
import dev.wharf.storage.BlobIngesterContract;
import dev.wharf.storage.BlobOpenerContract;
import dev.wharf.storage.BlobStatterContract;
import dev.wharf.storage.BlobStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Nested;

/** Every blob role contract, on the disk store, with spools in its own spool directory. */
class FileBlobRolesTest {
    private static BlobStore open(Path dir) {
        return FileBlobStore.open(dir.resolve("store"));
    }

    private static Path spools(Path dir) {
        return dir.resolve("store/tmp");
    }

    @Nested
    class Stat extends BlobStatterContract {
        @Override
        protected BlobStore newStore() {
            return open(dir);
        }

        @Override
        protected Path spoolDirectory() {
            return spools(dir);
        }
    }

    @Nested
    class Open extends BlobOpenerContract {
        @Override
        protected BlobStore newStore() {
            return open(dir);
        }

        @Override
        protected Path spoolDirectory() {
            return spools(dir);
        }

        @Override
        protected Class<? extends BlobContent> contentCase() {
            return BlobContent.LocalFile.class;
        }
    }

    @Nested
    class Ingest extends BlobIngesterContract {
        @Override
        protected BlobStore newStore() {
            return open(dir);
        }

        @Override
        protected Path spoolDirectory() {
            return spools(dir);
        }
    }

    @Nested
    class Delete extends BlobDeleterContract {
        @Override
        protected BlobStore newStore() {
            return open(dir);
        }

        @Override
        protected Path spoolDirectory() {
            return spools(dir);
        }
    }
}
