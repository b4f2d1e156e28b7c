package dev.wharf.storage.s3;

import dev.wharf.storage.BlobContent;
import dev.wharf.storage.BlobDeleterContract;
import dev.wharf.storage.BlobIngesterContract;
import dev.wharf.storage.BlobOpenerContract;
import dev.wharf.storage.BlobStatterContract;
import dev.wharf.storage.BlobStore;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every blob role contract, on the S3 store against the in-process S3 server, without redirects. */
@ExtendWith(S3Lab.Extension.class)
class S3BlobRolesTest {
    private static BlobStore open(Path dir) {
        S3Lab lab = S3Lab.get();
        return S3BlobStore.open(
                lab.client(), Optional.empty(), S3BlobSettings.of(lab.freshBucket(), dir.resolve("spools")));
    }

    private static Path spools(Path dir) {
        return dir.resolve("spools");
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
            return BlobContent.Ranged.class;
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
