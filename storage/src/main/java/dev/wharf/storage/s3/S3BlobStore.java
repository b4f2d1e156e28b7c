package dev.wharf.storage.s3;

import dev.wharf.storage.BlobContent;
import dev.wharf.storage.BlobInfo;
import dev.wharf.storage.BlobReader;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.BlobWriter;
import dev.wharf.storage.Digest;
import dev.wharf.storage.Spool;
import dev.wharf.storage.SpoolWriter;
import dev.wharf.storage.StorageException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Blobs as objects in an S3 bucket, one object per digest, under the settings' prefix:
 *
 * <pre>
 * prefix/
 * └── blobs/
 *     ├── sha256/
 *     │   └── ab/                   first two hex characters, as on disk
 *     │       └── abcdef0123…       the bytes of sha256:abcdef0123…
 *     └── sha512/
 *         └── …
 * spoolDirectory/                   local: blob-*.part, spools in progress; swept by {@link #open}
 * </pre>
 *
 * <p>Bytes arrive through a local {@link Spool}, hashed as they are written; once verified, publishing uploads the
 * spool (one PutObject, or a multipart upload of bounded parts that is aborted on any failure), so an object under a
 * blob key is always whole and verified. Opened with a part-upload executor, writers of {@link #create} upload whole
 * parts while they are written and complete once verified; otherwise, and for {@link #publish}, the upload starts
 * after verification. Reads are
 * ranged GETs ({@link BlobContent.Ranged}), or, when the settings ask for redirects, {@link #openContent} yields a
 * presigned GET URL ({@link BlobContent.Redirect}). Replicas may share a bucket: every object is immutable and two
 * uploads of a digest put the same bytes. The store does not own the clients; build them with {@link S3Clients} for
 * the retry policy (throttling backs off and retries). Thread-safe.
 */
public final class S3BlobStore implements BlobStore {
    private final S3Client client;
    private final Optional<S3Presigner> presigner;
    private final S3BlobSettings settings;
    private final S3Keys keys;
    private final S3Objects objects;
    private final S3Upload upload;
    private final Optional<Executor> partUploads;
    private volatile boolean closed;

    private S3BlobStore(
            S3Client client, Optional<S3Presigner> presigner, S3BlobSettings settings, Optional<Executor> partUploads) {
        this.client = client;
        this.presigner = presigner;
        this.settings = settings;
        this.partUploads = partUploads;
        this.keys = new S3Keys(settings.bucket());
        this.objects = new S3Objects(client, settings.bucket());
        this.upload = new S3Upload(client, settings.bucket().name(), settings.partSize());
    }

    /**
     * A store on {@code client} (and {@code presigner}, required when the settings redirect); creates the spool
     * directory and deletes spools left in it. Writers upload once verified. Asks nothing of S3. Throws {@link
     * IllegalArgumentException} when redirects are asked for without a presigner, {@link StorageException} of kind IO
     * when the directory fails.
     */
    public static S3BlobStore open(S3Client client, Optional<S3Presigner> presigner, S3BlobSettings settings) {
        return open(client, presigner, settings, Optional.empty());
    }

    /**
     * As {@link #open(S3Client, Optional, S3BlobSettings)}, but writers of {@link #create} upload each whole part on
     * {@code partUploads} (bounded, owned by the caller; one part in flight per writer) while they are written, and
     * complete the upload once verified.
     */
    public static S3BlobStore open(
            S3Client client, Optional<S3Presigner> presigner, S3BlobSettings settings, Executor partUploads) {
        return open(client, presigner, settings, Optional.of(partUploads));
    }

    private static S3BlobStore open(
            S3Client client, Optional<S3Presigner> presigner, S3BlobSettings settings, Optional<Executor> partUploads) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(presigner, "presigner");
        if (settings.redirects() && presigner.isEmpty()) {
            throw new IllegalArgumentException("redirects need a presigner");
        }
        try {
            Spool.sweep(Files.createDirectories(settings.spoolDirectory()));
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.IO, "cannot create " + settings.spoolDirectory(), e);
        }
        return new S3BlobStore(client, presigner, settings, partUploads);
    }

    /** Where spools for this store belong. */
    public Path spoolDirectory() {
        return settings.spoolDirectory();
    }

    /** {@inheritDoc} One HeadObject. */
    @Override
    public Optional<BlobInfo> stat(Digest digest) {
        ensureOpen();
        return objects.head(keys.blob(digest)).map(head -> new BlobInfo(digest, head.contentLength()));
    }

    @Override
    public Optional<Long> findSize(Digest digest) {
        return stat(digest).map(BlobInfo::size);
    }

    /** {@inheritDoc} A {@link BlobContent.Redirect} when the store redirects, else {@link BlobContent.Ranged}. */
    @Override
    public Optional<BlobContent> openContent(Digest digest) {
        if (!settings.redirects()) {
            return open(digest).map(BlobContent.Ranged::new);
        }
        return stat(digest).map(info -> new BlobContent.Redirect(presign(keys.blob(digest)), info.size()));
    }

    /** {@inheritDoc} Ranged GETs, never the whole blob in memory. */
    @Override
    public Optional<BlobReader> open(Digest digest) {
        String key = keys.blob(digest);
        return stat(digest)
                .map(info -> new S3BlobReader(client, settings.bucket().name(), key, info.size()));
    }

    /** {@inheritDoc} With a part-upload executor, uploads parts while the writer is written. */
    @Override
    public BlobWriter create(Digest expected, long expectedSize) {
        ensureOpen();
        Spool spool = Spool.create(settings.spoolDirectory(), expected, expectedSize);
        if (partUploads.isEmpty()) {
            return new SpoolWriter(spool, this);
        }
        BlobReader reader;
        try {
            reader = spool.openReader();
        } catch (RuntimeException e) {
            spool.close();
            throw e;
        }
        EagerUpload eager = new EagerUpload(
                client, settings.bucket().name(), keys.blob(expected), settings.partSize(), partUploads.get(), reader);
        return new S3BlobWriter(new SpoolWriter(spool, s -> publish(s, eager)), eager, reader);
    }

    /** {@inheritDoc} Uploads the spool unless the digest is stored already; the caller still closes the spool. */
    @Override
    public void publish(Spool spool) {
        ensureOpen();
        if (!spool.isVerified()) {
            throw new IllegalStateException("spool is not verified");
        }
        String key = keys.blob(spool.digest());
        if (objects.head(key).isPresent()) {
            return;
        }
        upload.upload(spool, key);
    }

    /** Publishes {@code spool}, completing {@code eager} if it started, else uploading the spool. */
    private void publish(Spool spool, EagerUpload eager) {
        ensureOpen();
        if (!spool.isVerified()) {
            throw new IllegalStateException("spool is not verified");
        }
        String key = keys.blob(spool.digest());
        if (objects.head(key).isPresent()) {
            eager.abort(null);
            return;
        }
        if (!eager.complete(spool.written())) {
            upload.upload(spool, key);
        }
    }

    @Override
    public void delete(Digest digest) {
        ensureOpen();
        objects.delete(keys.blob(digest));
    }

    /** Marks the store closed; readers already open keep working. The clients stay open: the caller owns them. */
    @Override
    public void close() {
        closed = true;
    }

    /** The key of {@code digest}'s object. */
    String keyOf(Digest digest) {
        return keys.blob(digest);
    }

    private URI presign(String key) {
        try {
            return presigner
                    .orElseThrow()
                    .presignGetObject(p -> p.signatureDuration(settings.redirectLifetime())
                            .getObjectRequest(
                                    g -> g.bucket(settings.bucket().name()).key(key)))
                    .url()
                    .toURI();
        } catch (SdkException e) {
            throw S3Errors.io("presign " + key, e);
        } catch (URISyntaxException e) {
            // The URL is not part of the message: it grants access.
            throw new StorageException(StorageException.Kind.IO, "cannot presign " + key + ": not a URI");
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new StorageException(StorageException.Kind.IO, "blob store is closed");
        }
    }
}
