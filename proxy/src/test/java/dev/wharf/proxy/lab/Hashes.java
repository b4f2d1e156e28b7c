package dev.wharf.proxy.lab;

import dev.wharf.storage.Digest;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 hashers and the digests they finish into. */
public final class Hashes {
    private Hashes() {}

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Digest finish(MessageDigest hasher) {
        return new Digest("sha256", HexFormat.of().formatHex(hasher.digest()));
    }
}
