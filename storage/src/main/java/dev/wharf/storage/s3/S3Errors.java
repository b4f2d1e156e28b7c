package dev.wharf.storage.s3;

import dev.wharf.storage.StorageException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Maps SDK failures to {@link StorageException}. Messages name the operation, the key and S3's status and error code,
 * never a credential or a presigned URL; the SDK's exception is kept as the cause.
 */
final class S3Errors {
    private S3Errors() {}

    /** True when {@code e} is S3 answering that the object (or upload) does not exist. */
    static boolean isNotFound(SdkException e) {
        return e instanceof S3Exception s3 && s3.statusCode() == 404;
    }

    /** True when {@code e} is S3 refusing a conditional write because its condition failed. */
    static boolean isPreconditionFailed(SdkException e) {
        return e instanceof S3Exception s3 && (s3.statusCode() == 412 || s3.statusCode() == 409);
    }

    /**
     * A failure of kind UNAVAILABLE for {@code what} (an operation and a key) that {@code e} made fail: the bucket did
     * not answer, or refused, after the client's retries.
     */
    static StorageException io(String what, SdkException e) {
        return new StorageException(StorageException.Kind.UNAVAILABLE, "cannot " + what + ": " + describe(e), e);
    }

    private static String describe(SdkException e) {
        if (e instanceof S3Exception s3) {
            String code =
                    s3.awsErrorDetails() == null ? null : s3.awsErrorDetails().errorCode();
            return "S3 answered " + s3.statusCode() + (code == null ? "" : " " + code);
        }
        return e.getClass().getSimpleName();
    }
}
