package dev.wharf.storage.s3;

import dev.wharf.storage.BlobReader;
import dev.wharf.storage.Spool;
import dev.wharf.storage.StorageException;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * Uploads the verified bytes of a {@link Spool} to one key: one PutObject up to the part size, else a multipart
 * upload whose parts are read from the spool file one at a time, so memory stays bounded whatever the size. The object
 * appears whole when the upload completes, or not at all: any failure aborts the multipart upload, so no part is left
 * pending. Blocks; one instance serves any number of threads.
 */
final class S3Upload {
    private static final String OCTETS = "application/octet-stream";

    private final S3Client client;
    private final String bucket;
    private final long partSize;

    S3Upload(S3Client client, String bucket, long partSize) {
        this.client = client;
        this.bucket = bucket;
        this.partSize = partSize;
    }

    /** Uploads the spool under {@code key}; throws {@link StorageException} of kind IO, having left nothing. */
    void upload(Spool spool, String key) {
        long size = spool.written();
        try (BlobReader reader = spool.openReader()) {
            if (size <= partSize) {
                client.putObject(
                        b -> b.bucket(bucket).key(key).contentType(OCTETS).contentLength(size),
                        RequestBody.fromContentProvider(() -> new RangeInputStream(reader, 0, size), size, OCTETS));
            } else {
                uploadInParts(reader, size, key);
            }
        } catch (SdkException e) {
            throw S3Errors.io("upload " + key, e);
        }
    }

    private void uploadInParts(BlobReader reader, long size, String key) {
        String uploadId = client.createMultipartUpload(
                        b -> b.bucket(bucket).key(key).contentType(OCTETS))
                .uploadId();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            for (long from = 0; from < size; from += partSize) {
                parts.add(uploadPart(reader, key, uploadId, parts.size() + 1, from, Math.min(size, from + partSize)));
            }
            client.completeMultipartUpload(
                    b -> b.bucket(bucket).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(parts)));
        } catch (RuntimeException e) {
            abort(key, uploadId, e);
            throw e;
        }
    }

    private CompletedPart uploadPart(BlobReader reader, String key, String uploadId, int number, long from, long to) {
        return part(client, bucket, key, uploadId, number, reader, from, to);
    }

    /**
     * Uploads bytes {@code from} to {@code to} (exclusive) of {@code reader} as part {@code number} of an upload; the
     * SDK may open the range more than once (to hash it, then to send it), each time from the reader.
     */
    static CompletedPart part(
            S3Client client,
            String bucket,
            String key,
            String uploadId,
            int number,
            BlobReader reader,
            long from,
            long to) {
        long length = to - from;
        String etag = client.uploadPart(
                        b -> b.bucket(bucket)
                                .key(key)
                                .uploadId(uploadId)
                                .partNumber(number)
                                .contentLength(length),
                        RequestBody.fromContentProvider(() -> new RangeInputStream(reader, from, to), length, OCTETS))
                .eTag();
        return CompletedPart.builder().partNumber(number).eTag(etag).build();
    }

    /**
     * Aborts the upload, recording a failure to do so on {@code cause}. An interrupt would make the abort fail too, so
     * it is cleared for the abort and restored after.
     */
    private void abort(String key, String uploadId, RuntimeException cause) {
        boolean interrupted = Thread.interrupted();
        try {
            client.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
        } catch (SdkException e) {
            cause.addSuppressed(e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
