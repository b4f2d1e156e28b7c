package dev.wharf.storage.memory;

import dev.wharf.storage.BlobContent;
import dev.wharf.storage.BlobDeleterContract;
import dev.wharf.storage.BlobIngesterContract;
import dev.wharf.storage.BlobOpenerContract;
import dev.wharf.storage.BlobStatterContract;
import dev.wharf.storage.BlobStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Nested;

/** Every blob role contract, on the heap store, with spools in a temp directory. */
class MemoryBlobRolesTest {
    @Nested
    class Stat extends BlobStatterContract {
        @Override
        protected BlobStore newStore() {
            return new MemoryBlobStore();
        }

        @Override
        protected Path spoolDirectory() {
            return dir.resolve("spools");
        }
    }

    @Nested
    class Open extends BlobOpenerContract {
        @Override
        protected BlobStore newStore() {
            return new MemoryBlobStore();
        }

        @Override
        protected Path spoolDirectory() {
            return dir.resolve("spools");
        }

        @Override
        protected Class<? extends BlobContent> contentCase() {
            return BlobContent.Ranged.class;
        }
    }

    @Nested
    class Ingest extends BlobIngesterContract {
        @Override
        protected BlobStore newStore() {
            return new MemoryBlobStore();
        }

        @Override
        protected Path spoolDirectory() {
            return dir.resolve("spools");
        }
    }

    @Nested
    class Delete extends BlobDeleterContract {
        @Override
        protected BlobStore newStore() {
            return new MemoryBlobStore();
        }

        @Override
        protected Path spoolDirectory() {
            return dir.resolve("spools");
        }
    }
}
