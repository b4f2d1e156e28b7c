package dev.wharf.proxy.lab;

import java.net.URI;
import java.util.List;
import org.gaul.s3proxy.junit.S3ProxyJunitCore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A real S3 server (s3proxy, objects in memory) on a loopback port, with one bucket, for tests of Wharf on S3. It can
 * be stopped and started again on the same port (empty then, as a bucket that was lost), and lists what the bucket
 * holds so a test can assert that nothing partial is visible.
 */
public final class S3Server implements AutoCloseable {
    public static final String BUCKET = "wharf-it";
    public static final String ACCESS_KEY = "wharf-it-access";
    public static final String SECRET_KEY = "wharf-it-secret-never-logged";

    private final int port;
    private S3ProxyJunitCore proxy;
    private S3Client client;

    private S3Server(int port) {
        this.port = port;
    }

    /** A running server with the bucket created. */
    public static S3Server start() throws Exception {
        S3Server server = new S3Server(FreePort.find());
        server.startAgain();
        return server;
    }

    /** Starts the server (again) on its port, with an empty bucket. */
    public void startAgain() throws Exception {
        proxy = new S3ProxyJunitCore.Builder()
                .withCredentials(ACCESS_KEY, SECRET_KEY)
                .withBlobStoreProvider("transient")
                .withPort(port)
                .ignoreUnknownHeaders()
                .build();
        proxy.beforeEach();
        client = S3Client.builder()
                .region(Region.US_EAST_1)
                .endpointOverride(endpoint())
                .forcePathStyle(true)
                .credentialsProvider(
                        StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
        client.createBucket(b -> b.bucket(BUCKET));
    }

    /** Stops the server: connections to its port are refused until {@link #startAgain()}. */
    public void stop() {
        if (client != null) {
            client.close();
            client = null;
        }
        if (proxy != null) {
            proxy.afterEach();
            proxy = null;
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** The {@code storage.s3} YAML for Wharf under {@code prefix}, indented for a {@code storage:} mapping. */
    public String storageYaml(String prefix) {
        return "  s3:\n"
                + "    bucket: " + BUCKET + "\n"
                + "    prefix: " + prefix + "\n"
                + "    endpoint: " + endpoint() + "\n"
                + "    pathStyle: true\n"
                + "    region: us-east-1\n"
                + "    accessKeyId: " + ACCESS_KEY + "\n"
                + "    secretAccessKey: " + SECRET_KEY + "\n";
    }

    /** The keys under {@code prefix}, sorted. */
    public List<String> keys(String prefix) {
        return client.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(prefix)).contents().stream()
                .map(S3Object::key)
                .sorted()
                .toList();
    }

    /** The bytes of the objects under {@code prefix}, summed from the bucket's listing. */
    public long bytes(String prefix) {
        return client.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(prefix)).contents().stream()
                .mapToLong(S3Object::size)
                .sum();
    }

    /** The server's client (path-style, with the lab's credentials); closed with the server. */
    public S3Client client() {
        return client;
    }

    /** Multipart uploads begun and neither completed nor aborted. */
    public int pendingUploads() {
        return client.listMultipartUploads(b -> b.bucket(BUCKET)).uploads().size();
    }

    @Override
    public void close() {
        stop();
    }
}
