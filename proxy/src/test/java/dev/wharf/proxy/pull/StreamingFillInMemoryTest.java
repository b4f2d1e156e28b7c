package dev.wharf.proxy.pull;

import dev.wharf.storage.BlobStore;
import dev.wharf.storage.memory.MemoryBlobStore;
import java.nio.file.Path;

/** Streaming fills whose chunks are read into buffers: the path for TLS and for stores that are not local files. */
class StreamingFillInMemoryTest extends StreamingFillContract {
    private MemoryBlobStore memory;

    @Override
    BlobStore openStore(Path dir) {
        memory = new MemoryBlobStore();
        return memory;
    }

    @Override
    int pendingWrites() {
        return memory.pendingWrites();
    }
}
