package dev.wharf.proxy.upstream;

import dev.wharf.storage.Digest;
import java.util.Objects;
import java.util.Optional;

/** What a manifest HEAD told: the digest when the upstream sent a valid one, media type, size (-1 when unknown). */
public record ManifestHead(Optional<Digest> digest, String mediaType, long size) {
    public ManifestHead {
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(mediaType, "mediaType");
    }
}
