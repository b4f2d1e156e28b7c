package dev.wharf.proxy.prewarm;

import dev.wharf.storage.Digest;

/** A blob an image references, with the size its manifest states. */
public record BlobRef(Digest digest, long size) {}
