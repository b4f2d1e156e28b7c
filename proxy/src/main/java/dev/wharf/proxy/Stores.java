package dev.wharf.proxy;

import dev.wharf.config.S3Config;
import dev.wharf.config.StorageConfig;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.FillLeases;
import dev.wharf.storage.LinkStore;
import dev.wharf.storage.LocalFillLeases;
import dev.wharf.storage.StorageException;
import dev.wharf.storage.fs.FileBlobStore;
import dev.wharf.storage.fs.FileLinkStore;
import dev.wharf.storage.s3.S3BlobSettings;
import dev.wharf.storage.s3.S3BlobStore;
import dev.wharf.storage.s3.S3Bucket;
import dev.wharf.storage.s3.S3ClientSettings;
import dev.wharf.storage.s3.S3Clients;
import dev.wharf.storage.s3.S3EvictionStore;
import dev.wharf.storage.s3.S3FillLeases;
import dev.wharf.storage.s3.S3LinkStore;
import dev.wharf.storage.tier.DiskTier;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The stores {@code storage} names. On disk, blobs and links live under {@code storage.path}, and one process owns
 * them, so every fill lease is granted at once. With {@code storage.s3}, blobs, links and fill leases live in the
 * bucket that replicas share, and {@code storage.path} keeps what is local to this replica: the index (a cache of the
 * bucket), the fill spool and, with {@code diskTier}, local copies of the blobs this replica filled; {@code bucket}
 * then holds the objects of the bucket's eviction (empty on disk).
 */
record Stores(
        BlobStore blobs,
        LinkStore links,
        FillLeases leases,
        Optional<S3EvictionStore> bucket,
        Optional<DiskTier> tier,
        Path indexDirectory,
        AutoCloseable clients)
        implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Stores.class);
    /** The region when neither the config nor the environment ({@code AWS_REGION}) names one. */
    private static final String FALLBACK_REGION = "us-east-1";

    /**
     * Opens the stores; asks nothing of S3 yet. On S3, parts of a blob being filled are uploaded on {@code uploads} as
     * they arrive. Throws {@link StorageException} when a local directory fails.
     */
    static Stores open(StorageConfig config, Clock clock, Executor uploads) {
        Path root = config.path();
        if (config.s3().isEmpty()) {
            FileBlobStore blobs = FileBlobStore.open(root);
            return new Stores(
                    blobs,
                    FileLinkStore.open(root),
                    new LocalFillLeases(),
                    Optional.empty(),
                    Optional.empty(),
                    root.resolve("index"),
                    () -> {});
        }
        S3Config s3 = config.s3().get();
        S3ClientSettings settings = clientSettings(s3);
        S3Client client;
        Optional<S3Presigner> presigner;
        if (s3.secretAccessKeyFile().isPresent()) {
            AwsCredentialsProvider credentials = new S3SecretFileCredentials(
                    s3.accessKeyId().orElseThrow(), s3.secretAccessKeyFile().get());
            client = S3Clients.sync(settings, credentials);
            presigner = s3.redirect() ? Optional.of(S3Clients.presigner(settings, credentials)) : Optional.empty();
        } else {
            client = S3Clients.sync(settings);
            presigner = s3.redirect() ? Optional.of(S3Clients.presigner(settings)) : Optional.empty();
        }
        AutoCloseable clients = () -> {
            presigner.ifPresent(S3Presigner::close);
            client.close();
        };
        try {
            S3Bucket bucket = new S3Bucket(s3.bucket(), s3.prefix());
            probe(client, s3);
            S3BlobSettings blobSettings = S3BlobSettings.of(bucket, root.resolve("tmp"));
            if (s3.redirect()) {
                blobSettings = blobSettings.withRedirects(s3.redirectTtl());
            }
            BlobStore blobs = S3BlobStore.open(client, presigner, blobSettings, uploads);
            Optional<DiskTier> tier = Optional.empty();
            if (s3.diskTier() > 0) {
                tier = Optional.of(DiskTier.open(blobs, root.resolve("tier"), s3.diskTier()));
                blobs = tier.get();
            }
            String replica = replicaId();
            return new Stores(
                    blobs,
                    new S3LinkStore(client, bucket),
                    new S3FillLeases(client, bucket, replica, clock),
                    Optional.of(new S3EvictionStore(client, bucket, replica, clock)),
                    tier,
                    root.resolve("index"),
                    clients);
        } catch (RuntimeException e) {
            presigner.ifPresent(S3Presigner::close);
            client.close();
            throw e;
        }
    }

    /** Says at start-up when the bucket cannot be used; Wharf starts all the same and answers 503 meanwhile. */
    private static void probe(S3Client client, S3Config s3) {
        try {
            client.headBucket(b -> b.bucket(s3.bucket()));
        } catch (S3Exception e) {
            LOG.warn(
                    "storage.s3: bucket {} answered {} ({}): requests that need it fail with 503 until it can be used",
                    s3.bucket(),
                    e.statusCode(),
                    e.statusCode() == 403 ? "access denied: check the credentials" : "see the bucket's settings");
        } catch (SdkException e) {
            LOG.warn(
                    "storage.s3: bucket {} cannot be reached ({}): requests that need it fail with 503 until it can",
                    s3.bucket(),
                    e.getClass().getSimpleName());
        }
    }

    private static S3ClientSettings clientSettings(S3Config s3) {
        String region = s3.region()
                .or(() -> Optional.ofNullable(System.getenv("AWS_REGION")).filter(r -> !r.isBlank()))
                .orElse(FALLBACK_REGION);
        S3ClientSettings settings = S3ClientSettings.of(region);
        if (s3.endpoint().isPresent()) {
            settings = settings.withEndpoint(s3.endpoint().get(), s3.pathStyle());
        }
        if (s3.accessKeyId().isPresent() && s3.secretAccessKey().isPresent()) {
            settings = settings.withCredentials(
                    s3.accessKeyId().get(), s3.secretAccessKey().get());
        }
        return settings;
    }

    /** Names this replica in the leases it holds: its host name (a pod's name) and a random part. */
    private static String replicaId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown-host";
        }
        String safe = host.replaceAll("[^A-Za-z0-9._-]", "-");
        // At most 64 characters in all: 27 of the host name, a dash, 36 of the UUID.
        return safe.substring(0, Math.min(safe.length(), 27)) + "-" + UUID.randomUUID();
    }

    @Override
    public void close() {
        try {
            blobs.close();
        } finally {
            try {
                clients.close();
            } catch (Exception e) {
                // Closing the SDK clients releases connections; nothing to recover.
            }
        }
    }
}
