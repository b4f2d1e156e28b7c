package dev.wharf.storage.s3;

import dev.wharf.storage.BlobReader;
import dev.wharf.storage.StorageException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * A multipart upload of one blob that starts while its spool still grows: each whole part, once a byte follows it, is
 * uploaded on {@code executor}, one part at a time per blob, read from the spool file. Nothing is visible under the key
 * until {@link #complete} (called only after verification) completes the upload; {@link #abort} discards it. A blob
 * that never grows past one part never starts an upload here: {@link #complete} returns false and the caller puts it
 * whole. {@link #grew}, {@link #complete} and {@link #abort} are called by one thread at a time (the writer's).
 */
final class EagerUpload {
    private static final String OCTETS = "application/octet-stream";

    private final S3Client client;
    private final String bucket;
    private final String key;
    private final long partSize;
    private final Executor executor;
    private final BlobReader spool;
    // Part tasks run one after another on the executor; each sees the previous one's writes through the chain.
    private CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    private final List<CompletedPart> parts = new ArrayList<>();
    private volatile String uploadId;
    private volatile boolean aborted;
    private long scheduledUpTo;
    private int scheduledParts;

    EagerUpload(S3Client client, String bucket, String key, long partSize, Executor executor, BlobReader spool) {
        this.client = client;
        this.bucket = bucket;
        this.key = key;
        this.partSize = partSize;
        this.executor = executor;
        this.spool = spool;
    }

    /** Schedules the upload of every whole part of the first {@code written} bytes that a byte follows. */
    void grew(long written) {
        while (!aborted && written - scheduledUpTo > partSize) {
            long from = scheduledUpTo;
            long to = from + partSize;
            int number = ++scheduledParts;
            scheduledUpTo = to;
            try {
                chain = chain.thenRunAsync(() -> uploadPart(number, from, to), executor);
            } catch (RejectedExecutionException e) {
                // The commit reports it, after the writer is done.
                chain = CompletableFuture.failedFuture(e);
            }
        }
    }

    /**
     * Uploads the rest of the verified {@code size} bytes and completes the upload; false, having done nothing, when no
     * part was scheduled. On failure aborts the upload and throws {@link StorageException} of kind IO.
     */
    boolean complete(long size) {
        if (scheduledParts == 0) {
            return false;
        }
        try {
            chain.join();
            for (long from = scheduledUpTo; from < size; from += partSize) {
                uploadPart(++scheduledParts, from, Math.min(size, from + partSize));
            }
            List<CompletedPart> ordered = new ArrayList<>(parts);
            ordered.sort(Comparator.comparing(CompletedPart::partNumber));
            client.completeMultipartUpload(
                    b -> b.bucket(bucket).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(ordered)));
            // Completed: there is nothing left to abort.
            uploadId = null;
            aborted = true;
            return true;
        } catch (RuntimeException e) {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            StorageException failure = cause instanceof SdkException sdk
                    ? S3Errors.io("upload " + key, sdk)
                    : new StorageException(StorageException.Kind.IO, "cannot upload " + key, cause);
            abort(failure);
            throw failure;
        }
    }

    /**
     * Stops scheduling parts, waits for the one in flight and aborts the upload if one was started; failures to abort
     * are recorded on {@code cause} when there is one. Safe to call more than once.
     */
    void abort(RuntimeException cause) {
        aborted = true;
        boolean interrupted = Thread.interrupted();
        try {
            chain.exceptionally(e -> null).join();
            String id = uploadId;
            if (id != null) {
                uploadId = null;
                client.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(id));
            }
        } catch (SdkException e) {
            if (cause != null) {
                cause.addSuppressed(e);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void uploadPart(int number, long from, long to) {
        if (aborted) {
            throw new CancellationException("upload aborted");
        }
        if (uploadId == null) {
            uploadId = client.createMultipartUpload(
                            b -> b.bucket(bucket).key(key).contentType(OCTETS))
                    .uploadId();
        }
        parts.add(S3Upload.part(client, bucket, key, uploadId, number, spool, from, to));
    }
}
