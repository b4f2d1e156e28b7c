package dev.wharf.proxy.http;

import dev.wharf.proxy.pull.Reference;
import dev.wharf.proxy.pull.Target;
import dev.wharf.storage.Digest;
import java.util.Optional;

/** One parsed read-API request. */
sealed interface Route {
    /** {@code /v2/}. */
    record Base() implements Route {}

    /** {@code /v2/<name>/manifests/<reference>}. */
    record Manifest(Target target, Reference reference) implements Route {}

    /** {@code /v2/<name>/blobs/<digest>}. */
    record Blob(Target target, Digest digest) implements Route {}

    /** {@code /v2/<name>/referrers/<digest>?artifactType=}. */
    record Referrers(Target target, Digest subject, Optional<String> artifactType) implements Route {}

    /** {@code /v2/<name>/tags/list?n=&last=}; {@code requestedName} is the name as the client wrote it. */
    record Tags(Target target, String requestedName, Optional<Integer> n, Optional<String> last) implements Route {}
}
