package dev.wharf.proxy.bundle;

import dev.wharf.storage.Digest;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/** The names blobs have in an OCI image layout: {@code blobs/<algorithm>/<encoded>}. */
final class BlobPath {
    private BlobPath() {}

    /** The digest an entry name stands for; empty for names that are not a valid blob path. */
    static Optional<Digest> digestOf(String name) {
        String[] parts = name.split("/", -1);
        if (parts.length != 3 || !parts[0].equals("blobs")) {
            return Optional.empty();
        }
        String text = parts[1] + ":" + parts[2];
        return Digest.isDigest(text) ? Optional.of(Digest.parse(text)) : Optional.empty();
    }

    /** The blobs an earlier bundle holds, read from its tar headers (bodies are skipped, not hashed). */
    static Set<Digest> inBundle(Path bundle) throws IOException {
        Set<Digest> found = new HashSet<>();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(bundle), 64 * 1024)) {
            TarReader tar = new TarReader(in);
            for (Optional<TarReader.Entry> e = tar.next(); e.isPresent(); e = tar.next()) {
                digestOf(e.get().name()).ifPresent(found::add);
            }
        }
        return found;
    }
}
