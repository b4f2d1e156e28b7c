package dev.wharf.storage.s3;

import java.util.Objects;

/**
 * Where in S3 a store keeps its objects: a bucket and a key prefix, empty or ending in {@code /}, so that several
 * stores (or test runs) can share one bucket. Both are validated here, so an invalid one cannot exist.
 */
public record S3Bucket(String name, String prefix) {
    public S3Bucket {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(prefix, "prefix");
        if (!name.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw new IllegalArgumentException("bucket name must be 3 to 63 lowercase letters, digits, '.' or '-'");
        }
        if (!prefix.isEmpty() && (!prefix.endsWith("/") || prefix.startsWith("/") || prefix.contains("//"))) {
            throw new IllegalArgumentException("prefix must be empty or end with '/', without a leading or double '/'");
        }
    }

    /** The bucket {@code name} with no prefix. */
    public static S3Bucket of(String name) {
        return new S3Bucket(name, "");
    }
}
