package dev.wharf.storage.s3;

import dev.wharf.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Whole-object operations on one bucket, for the small objects (links, media types, leases) and the heads and deletes
 * of blobs, each mapped to {@link StorageException} of kind IO, with absence as empty. Thread-safe.
 */
final class S3Objects {
    /** Larger than any link or lease: a bigger object under such a key is no link, and is not read whole. */
    static final int MAX_SMALL = 64 * 1024;

    private final S3Client client;
    private final String bucket;

    S3Objects(S3Client client, S3Bucket bucket) {
        this.client = client;
        this.bucket = bucket.name();
    }

    /** A small object's bytes, when it was last written, and its entity tag, for conditional writes. */
    record Small(byte[] bytes, Instant lastModified, String eTag) {}

    /** The object's head; empty when absent. */
    Optional<HeadObjectResponse> head(String key) {
        try {
            return Optional.of(client.headObject(b -> b.bucket(bucket).key(key)));
        } catch (SdkException e) {
            if (S3Errors.isNotFound(e)) {
                return Optional.empty();
            }
            throw S3Errors.io("stat " + key, e);
        }
    }

    /** Writes (or replaces) the object whole. */
    void put(String key, byte[] bytes) {
        try {
            client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(bytes));
        } catch (SdkException e) {
            throw S3Errors.io("write " + key, e);
        }
    }

    /** Writes the object only if no object has the key ({@code If-None-Match: *}); false when one has. */
    boolean putIfAbsent(String key, byte[] bytes) {
        try {
            client.putObject(b -> b.bucket(bucket).key(key).ifNoneMatch("*"), RequestBody.fromBytes(bytes));
            return true;
        } catch (SdkException e) {
            if (S3Errors.isPreconditionFailed(e)) {
                return false;
            }
            throw S3Errors.io("write " + key, e);
        }
    }

    /** Replaces the object only if its entity tag is still {@code eTag} ({@code If-Match}); false when it is not. */
    boolean putIfMatch(String key, byte[] bytes, String eTag) {
        try {
            client.putObject(b -> b.bucket(bucket).key(key).ifMatch(eTag), RequestBody.fromBytes(bytes));
            return true;
        } catch (SdkException e) {
            if (S3Errors.isPreconditionFailed(e) || S3Errors.isNotFound(e)) {
                return false;
            }
            throw S3Errors.io("write " + key, e);
        }
    }

    /** Removes the object only if its entity tag is still {@code eTag}; false when it is not, or is gone. */
    boolean deleteIfMatch(String key, String eTag) {
        try {
            client.deleteObject(b -> b.bucket(bucket).key(key).ifMatch(eTag));
            return true;
        } catch (SdkException e) {
            if (S3Errors.isPreconditionFailed(e) || S3Errors.isNotFound(e)) {
                return false;
            }
            throw S3Errors.io("delete " + key, e);
        }
    }

    /** A small object whole; empty when absent; IO when it is larger than {@link #MAX_SMALL}. */
    Optional<Small> read(String key) {
        return read(key, MAX_SMALL);
    }

    /** An object of at most {@code max} bytes whole; empty when absent; IO when it is larger. */
    Optional<Small> read(String key, int max) {
        try (ResponseInputStream<GetObjectResponse> in =
                client.getObject(b -> b.bucket(bucket).key(key))) {
            byte[] bytes = readAtMost(in, max);
            return Optional.of(
                    new Small(bytes, in.response().lastModified(), in.response().eTag()));
        } catch (SdkException e) {
            if (S3Errors.isNotFound(e)) {
                return Optional.empty();
            }
            throw S3Errors.io("read " + key, e);
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.IO, "cannot read " + key, e);
        }
    }

    /** Removes the object; does nothing when absent. */
    void delete(String key) {
        try {
            client.deleteObject(b -> b.bucket(bucket).key(key));
        } catch (SdkException e) {
            if (!S3Errors.isNotFound(e)) {
                throw S3Errors.io("delete " + key, e);
            }
        }
    }

    /** The names of the objects directly under {@code prefix} (which ends in {@code /}); deeper keys are left out. */
    List<String> list(String prefix) {
        List<String> names = new ArrayList<>();
        try {
            for (ListObjectsV2Response page : client.listObjectsV2Paginator(
                    b -> b.bucket(bucket).prefix(prefix).delimiter("/"))) {
                for (S3Object object : page.contents()) {
                    names.add(object.key().substring(prefix.length()));
                }
            }
        } catch (SdkException e) {
            throw S3Errors.io("list " + prefix, e);
        }
        return names;
    }

    /** Every object under {@code prefix}, at any depth, as the listing describes it. */
    List<S3Object> listAll(String prefix) {
        List<S3Object> all = new ArrayList<>();
        try {
            for (ListObjectsV2Response page :
                    client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix))) {
                all.addAll(page.contents());
            }
        } catch (SdkException e) {
            throw S3Errors.io("list " + prefix, e);
        }
        return all;
    }

    private static byte[] readAtMost(InputStream in, int max) throws IOException {
        byte[] bytes = in.readNBytes(max + 1);
        if (bytes.length > max) {
            throw new IOException("object is larger than " + max + " bytes");
        }
        return bytes;
    }
}
