package dev.wharf.storage.s3;

import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import org.gaul.s3proxy.junit.S3ProxyJunitCore;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * One in-process S3 server (s3proxy, in memory) for the whole test run, started by the first test class that extends
 * with {@link Extension} and stopped when the run ends, even on failure. Each test gets a fresh key prefix in one
 * bucket, so tests never see each other's objects. {@link #get()} fails outside a class extended with it, so an S3
 * test cannot skip silently.
 */
final class S3Lab implements AutoCloseable {
    static final String BUCKET = "wharf-test";
    static final String ACCESS_KEY = "wharf-access";
    static final String SECRET_KEY = "wharf-secret-do-not-print";

    private static volatile S3Lab current;

    private final S3ProxyJunitCore proxy;
    private final S3ClientSettings settings;
    private final S3Client client;
    private final S3Presigner presigner;
    private final AtomicInteger prefixes = new AtomicInteger();

    private S3Lab() throws Exception {
        proxy = new S3ProxyJunitCore.Builder()
                .withCredentials(ACCESS_KEY, SECRET_KEY)
                .withBlobStoreProvider("transient")
                .ignoreUnknownHeaders()
                .build();
        proxy.beforeEach();
        settings = S3ClientSettings.of("us-east-1")
                .withEndpoint(proxy.getUri(), true)
                .withCredentials(ACCESS_KEY, SECRET_KEY);
        client = S3Clients.sync(settings);
        presigner = S3Clients.presigner(settings);
        client.createBucket(b -> b.bucket(BUCKET));
    }

    /** The lab of this run; throws unless the test class extends with {@link Extension}. */
    static S3Lab get() {
        S3Lab lab = current;
        if (lab == null) {
            throw new IllegalStateException("extend the test class with S3Lab.Extension");
        }
        return lab;
    }

    /** A client, shared by all tests, with the server's endpoint, path-style addressing and credentials. */
    S3Client client() {
        return client;
    }

    S3Presigner presigner() {
        return presigner;
    }

    S3ClientSettings settings() {
        return settings;
    }

    URI endpoint() {
        return proxy.getUri();
    }

    /** The test bucket under a prefix no other test uses. */
    S3Bucket freshBucket() {
        return new S3Bucket(BUCKET, "run-" + prefixes.incrementAndGet() + "/");
    }

    @Override
    public void close() {
        current = null;
        presigner.close();
        client.close();
        proxy.afterEach();
    }

    /** Starts the lab once per run, in the root context's store, which closes what it holds when the run ends. */
    static final class Extension implements BeforeAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            current = context.getRoot()
                    .getStore(ExtensionContext.Namespace.create(S3Lab.class))
                    .getOrComputeIfAbsent(S3Lab.class, k -> start(), S3Lab.class);
        }

        private static S3Lab start() {
            try {
                return new S3Lab();
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the in-process S3 server", e);
            }
        }
    }
}
