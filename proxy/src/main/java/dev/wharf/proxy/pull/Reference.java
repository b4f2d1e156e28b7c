package dev.wharf.proxy.pull;

import dev.wharf.storage.Digest;
import dev.wharf.storage.Tag;
import java.util.Optional;

/** A manifest reference: either a tag or a digest, validated by {@link #parse}. */
public record Reference(Optional<Tag> tag, Optional<Digest> digest) {
    public Reference {
        if (tag.isPresent() == digest.isPresent()) {
            throw new IllegalArgumentException("a reference is a tag or a digest");
        }
    }

    /** Parses a digest when the text contains ':', else a tag; throws {@link IllegalArgumentException}. */
    public static Reference parse(String text) {
        if (text.indexOf(':') >= 0) {
            return new Reference(Optional.empty(), Optional.of(Digest.parse(text)));
        }
        return new Reference(Optional.of(Tag.parse(text)), Optional.empty());
    }

    public boolean isDigest() {
        return digest.isPresent();
    }

    @Override
    public String toString() {
        return digest.map(Digest::toString).orElseGet(() -> tag.orElseThrow().value());
    }
}
