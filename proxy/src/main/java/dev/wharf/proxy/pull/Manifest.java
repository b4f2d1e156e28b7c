package dev.wharf.proxy.pull;

import dev.wharf.storage.Digest;

/** A manifest's exact bytes as the upstream served them, with their media type and digest. */
public record Manifest(Digest digest, String mediaType, byte[] bytes) {}
