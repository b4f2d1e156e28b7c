package dev.wharf.storage.index;

import dev.wharf.storage.BlobStore;
import dev.wharf.storage.LinkStore;
import dev.wharf.storage.StoreBackedIndexContract;
import dev.wharf.storage.memory.MemoryBlobStore;
import dev.wharf.storage.memory.MemoryLinkStore;
import java.nio.file.Path;

class MemoryStoreBackedIndexTest extends StoreBackedIndexContract {
    @Override
    protected BlobStore newBlobStore() {
        return new MemoryBlobStore();
    }

    @Override
    protected LinkStore newLinkStore() {
        return new MemoryLinkStore();
    }

    @Override
    protected Path spoolDirectory() {
        return dir;
    }
}
