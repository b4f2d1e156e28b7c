package dev.wharf.storage.memory;

import dev.wharf.storage.LinkStore;
import dev.wharf.storage.LinkStoreContract;

class MemoryLinkStoreTest extends LinkStoreContract {
    @Override
    protected LinkStore newLinks() {
        return new MemoryLinkStore();
    }
}
