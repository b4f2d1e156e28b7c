package dev.wharf.storage.index;

import dev.wharf.storage.BlobStore;
import dev.wharf.storage.LinkStore;
import dev.wharf.storage.StoreBackedIndexContract;
import dev.wharf.storage.fs.FileBlobStore;
import dev.wharf.storage.fs.FileLinkStore;
import java.nio.file.Path;

/** Replicas sharing one disk root, as they would share a bucket. */
class FileStoreBackedIndexTest extends StoreBackedIndexContract {
    @Override
    protected BlobStore newBlobStore() {
        return FileBlobStore.open(dir);
    }

    @Override
    protected LinkStore newLinkStore() {
        return FileLinkStore.open(dir);
    }

    @Override
    protected Path spoolDirectory() {
        return dir.resolve("tmp");
    }
}
