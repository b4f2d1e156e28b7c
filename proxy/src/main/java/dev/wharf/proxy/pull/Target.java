package dev.wharf.proxy.pull;

import dev.wharf.storage.RepositoryName;

/** A repository of one configured upstream, as the router resolved it. */
public record Target(String upstream, RepositoryName repository) {
    @Override
    public String toString() {
        return upstream + "/" + repository;
    }
}
