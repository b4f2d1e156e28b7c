package dev.wharf.proxy.eviction;

import dev.wharf.storage.RepositoryName;
import dev.wharf.storage.Tag;

/** One cached tag: an upstream's repository and the tag's name. */
public record TagRef(String upstream, RepositoryName repository, Tag tag) {
    @Override
    public String toString() {
        return upstream + "/" + repository + ":" + tag.value();
    }
}
