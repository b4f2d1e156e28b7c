package dev.wharf.proxy.bundle;

import dev.wharf.config.Defaults;
import dev.wharf.config.UpstreamConfig;
import dev.wharf.config.WharfConfig;
import dev.wharf.proxy.pull.Reference;
import dev.wharf.proxy.pull.Target;
import dev.wharf.storage.RepositoryName;

/**
 * An image as a user names it on the command line, resolved against the configured upstreams the way clients' names
 * are routed: {@code ghcr.io/org/app:1.0}, {@code up.example/org/app@sha256:...}, or without a host for the default
 * upstream ({@code alpine:3.19} is Docker Hub's {@code library/alpine} when that is the default); no tag means
 * {@code latest}.
 */
record ImageRef(Target target, Reference reference) {
    /** Parses {@code text}; throws {@link IllegalArgumentException} saying what is wrong. */
    static ImageRef parse(String text, WharfConfig config) {
        String name = text;
        String reference = "latest";
        int at = text.indexOf('@');
        if (at >= 0) {
            name = text.substring(0, at);
            reference = text.substring(at + 1);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon > text.lastIndexOf('/')) {
                name = text.substring(0, colon);
                reference = text.substring(colon + 1);
            }
        }
        int slash = name.indexOf('/');
        String first = slash < 0 ? "" : name.substring(0, slash);
        String upstream;
        String repository;
        boolean host = first.contains(".") || first.contains(":") || first.equals("localhost");
        if (slash > 0 && (host || config.findUpstream(first).isPresent())) {
            UpstreamConfig found = config.findUpstream(first)
                    .orElseThrow(() ->
                            new IllegalArgumentException(text + ": no upstream named " + first + " is configured"));
            upstream = found.name();
            repository = name.substring(slash + 1);
        } else {
            upstream = config.defaultUpstreamConfig().name();
            repository = name;
        }
        if (upstream.equals(Defaults.DOCKER_HUB) && repository.indexOf('/') < 0) {
            repository = "library/" + repository;
        }
        try {
            return new ImageRef(new Target(upstream, RepositoryName.parse(repository)), Reference.parse(reference));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(text + ": not an image reference (" + e.getMessage() + ")");
        }
    }

    @Override
    public String toString() {
        return target + (reference.isDigest() ? "@" : ":") + reference;
    }
}
