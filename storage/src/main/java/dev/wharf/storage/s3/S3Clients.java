package dev.wharf.storage.s3;

import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Builds the SDK clients the S3 stores take, from {@link S3ClientSettings}: the synchronous client over Apache's HTTP
 * client with the settings' retry policy, and a presigner for redirects. The caller owns and closes both.
 */
public final class S3Clients {
    private static final int MAX_CONNECTIONS = 64;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(20);
    /** Throttling (503 SlowDown) backs off this many times longer than other retryable failures. */
    private static final int THROTTLING_FACTOR = 4;

    private S3Clients() {}

    /** A synchronous client for {@code settings}; throws {@link IllegalArgumentException} for an unknown setup. */
    public static S3Client sync(S3ClientSettings settings) {
        return sync(settings, credentials(settings));
    }

    /** As {@link #sync(S3ClientSettings)}, signing with what {@code credentials} provides (asked for each request). */
    public static S3Client sync(S3ClientSettings settings, AwsCredentialsProvider credentials) {
        var builder = S3Client.builder()
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials)
                .forcePathStyle(settings.pathStyle())
                // Parts are read from the spool file, which the SDK can open again: it hashes a part in one pass and
                // sends it in another, instead of signing it in aws-chunked pieces, which allocated about a quarter of
                // every uploaded byte anew (a 512 MiB fill grew the heap by 100 MiB). Checksums only where S3
                // requires them, for the same reason: a trailing checksum needs aws-chunked encoding.
                .serviceConfiguration(
                        S3Configuration.builder().chunkedEncodingEnabled(false).build())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .httpClientBuilder(Apache5HttpClient.builder()
                        .maxConnections(MAX_CONNECTIONS)
                        .connectionTimeout(CONNECT_TIMEOUT)
                        .socketTimeout(SOCKET_TIMEOUT))
                .overrideConfiguration(c -> c.retryStrategy(retryStrategy(settings)));
        settings.endpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    /** A presigner for GET URLs that clients follow without credentials. */
    public static S3Presigner presigner(S3ClientSettings settings) {
        return presigner(settings, credentials(settings));
    }

    /** As {@link #presigner(S3ClientSettings)}, signing with what {@code credentials} provides. */
    public static S3Presigner presigner(S3ClientSettings settings, AwsCredentialsProvider credentials) {
        var builder = S3Presigner.builder()
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials)
                .serviceConfiguration(S3Configuration.builder()
                        .pathStyleAccessEnabled(settings.pathStyle())
                        .build());
        settings.endpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    /** The SDK's standard strategy (it retries 5xx, throttling and I/O errors), with our attempts and delays. */
    static RetryStrategy retryStrategy(S3ClientSettings settings) {
        Duration base = settings.baseDelay();
        return AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .maxAttempts(settings.maxAttempts())
                .backoffStrategy(BackoffStrategy.exponentialDelay(base, MAX_BACKOFF))
                .throttlingBackoffStrategy(
                        BackoffStrategy.exponentialDelay(base.multipliedBy(THROTTLING_FACTOR), MAX_BACKOFF))
                // The token bucket would stop retrying during an outage across all requests; each request keeps
                // its own bound instead.
                .circuitBreakerEnabled(false)
                .build();
    }

    private static AwsCredentialsProvider credentials(S3ClientSettings settings) {
        if (settings.accessKeyId().isPresent()) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(
                    settings.accessKeyId().orElseThrow(),
                    settings.secretAccessKey().orElseThrow()));
        }
        return DefaultCredentialsProvider.builder().build();
    }
}
