package dev.wharf.proxy.lab;

import dev.wharf.storage.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

/** A small, deterministic gzip'd tar layer held in memory, with its blob digest and its diff id. */
record Layer(byte[] content, Digest digest, Digest diffId) {
    /** A layer with a few files whose bytes depend only on {@code label} and {@code seed}; it unpacks for real. */
    static Layer generate(String label, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] payload = new byte[1024 + random.nextInt(3072)];
        random.nextBytes(payload);
        ByteArrayOutputStream blob = new ByteArrayOutputStream();
        MessageDigest diff = Hashes.sha256();
        try (GZIPOutputStream gzip = new GZIPOutputStream(blob);
                DigestOutputStream tarStream = new DigestOutputStream(gzip, diff)) {
            Tar tar = new Tar(tarStream);
            tar.directory("etc");
            tar.file("etc/wharf-lab", (label + " seed " + seed + "\n").getBytes(StandardCharsets.UTF_8));
            tar.directory("opt");
            tar.file("opt/payload-" + Long.toHexString(seed) + ".bin", payload);
            tar.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] content = blob.toByteArray();
        return new Layer(content, Digest.sha256(content), Hashes.finish(diff));
    }

    long size() {
        return content.length;
    }
}
