package dev.wharf.storage.index;

import dev.wharf.storage.CacheIndex;
import dev.wharf.storage.CacheIndexContract;
import dev.wharf.storage.memory.MemoryBlobStore;
import dev.wharf.storage.memory.MemoryIndex;
import dev.wharf.storage.memory.MemoryLinkStore;
import java.time.Clock;

/** A store-backed index is an index like any other. */
class StoreBackedIndexTest extends CacheIndexContract {
    @Override
    protected CacheIndex newIndex() {
        return new StoreBackedIndex(new MemoryIndex(), new MemoryBlobStore(), new MemoryLinkStore(), Clock.systemUTC());
    }
}
