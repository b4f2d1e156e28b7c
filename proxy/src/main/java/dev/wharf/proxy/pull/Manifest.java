package dev.wharf.proxy.pull;

import dev.wharf.storage.Digest;
import java.util.Objects;
import java.util.Optional;

/**
 * A manifest's exact bytes as the upstream served them, with their media type and digest. {@code staleWarning} is
 * present when the bytes are a tag's last known manifest served because the upstream could not confirm it: the text
 * says why, for the HTTP {@code Warning} header. {@code outcome} says how the cache came by it for this request.
 */
public record Manifest(Digest digest, String mediaType, byte[] bytes, Optional<String> staleWarning, Outcome outcome) {
    public Manifest {
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(staleWarning, "staleWarning");
        Objects.requireNonNull(outcome, "outcome");
    }

    /** A manifest served as {@code staleWarning} says, from the cache. */
    public Manifest(Digest digest, String mediaType, byte[] bytes, Optional<String> staleWarning) {
        this(digest, mediaType, bytes, staleWarning, staleWarning.isPresent() ? Outcome.STALE : Outcome.HIT);
    }

    /** A manifest the upstream confirmed, or one named by digest (which never goes stale), from the cache. */
    public Manifest(Digest digest, String mediaType, byte[] bytes) {
        this(digest, mediaType, bytes, Optional.empty());
    }

    /** The same manifest, come by as {@code value}. */
    Manifest as(Outcome value) {
        return new Manifest(digest, mediaType, bytes, staleWarning, value);
    }

    /** Whether this is a tag's last known manifest that the upstream did not confirm. */
    public boolean stale() {
        return staleWarning.isPresent();
    }

    /** The same bytes, marked stale for {@code why}. */
    Manifest servedStale(String why) {
        return new Manifest(digest, mediaType, bytes, Optional.of(why), Outcome.STALE);
    }
}
