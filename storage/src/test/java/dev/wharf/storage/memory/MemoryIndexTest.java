package dev.wharf.storage.memory;

import dev.wharf.storage.CacheIndex;
import dev.wharf.storage.CacheIndexContract;

class MemoryIndexTest extends CacheIndexContract {
    @Override
    protected CacheIndex newIndex() {
        return new MemoryIndex();
    }
}
