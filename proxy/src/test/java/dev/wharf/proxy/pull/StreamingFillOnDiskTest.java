package dev.wharf.proxy.pull;

import dev.wharf.storage.BlobStore;
import dev.wharf.storage.fs.FileBlobStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Streaming fills on the file store: chunks go out by sendfile from the growing temp file. */
class StreamingFillOnDiskTest extends StreamingFillContract {
    private Path temps;

    @Override
    BlobStore openStore(Path dir) {
        temps = dir.resolve("tmp");
        return FileBlobStore.open(dir);
    }

    @Override
    int pendingWrites() {
        try (Stream<Path> files = Files.list(temps)) {
            return (int) files.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
