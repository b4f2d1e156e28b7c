package dev.wharf.storage;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest, {@code algorithm:encoded}. Only {@code sha256} (64 lowercase hex) and {@code sha512} (128
 * lowercase hex) exist: anything else is rejected by {@link #parse}, so every instance is safe to use in a path.
 */
public record Digest(String algorithm, String encoded) {
    private static final Pattern HEX = Pattern.compile("[0-9a-f]+");

    public Digest {
        int expected = switch (algorithm) {
            case "sha256" -> 64;
            case "sha512" -> 128;
            default -> throw new IllegalArgumentException("unsupported digest algorithm: " + algorithm);
        };
        if (encoded.length() != expected || !HEX.matcher(encoded).matches()) {
            throw new IllegalArgumentException("invalid " + algorithm + " digest");
        }
    }

    /** Parses {@code algorithm:hex}; throws {@link IllegalArgumentException} when it is not a valid digest. */
    public static Digest parse(String text) {
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("invalid digest: missing ':'");
        }
        return new Digest(text.substring(0, colon), text.substring(colon + 1));
    }

    /** True when {@code text} parses as a digest. */
    public static boolean isDigest(String text) {
        try {
            parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The sha256 digest of {@code bytes}. */
    public static Digest sha256(byte[] bytes) {
        return compute("sha256", bytes);
    }

    /** The digest of {@code bytes} with {@code algorithm} ({@code sha256} or {@code sha512}). */
    public static Digest compute(String algorithm, byte[] bytes) {
        MessageDigest md = newMessageDigest(algorithm);
        return new Digest(algorithm, HexFormat.of().formatHex(md.digest(bytes)));
    }

    /** A fresh hasher for this digest's algorithm. */
    public MessageDigest newHasher() {
        return newMessageDigest(algorithm);
    }

    /** True when {@code hash} (the output of {@link #newHasher()}) equals this digest. */
    public boolean matches(byte[] hash) {
        return HexFormat.of().formatHex(hash).equals(encoded);
    }

    private static MessageDigest newMessageDigest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm.equals("sha256") ? "SHA-256" : "SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return algorithm + ":" + encoded;
    }
}
