package dev.wharf.storage.s3;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach S3: the region, an endpoint for S3-compatible servers (with path-style addressing, which most of them
 * need), static credentials or none (then the SDK's default chain: environment, profile, container or instance role),
 * and the retry policy: at most {@code maxAttempts} attempts, waits growing exponentially from {@code baseDelay} (four
 * times longer when S3 throttles with 503 SlowDown). {@link #toString()} leaves the secret out.
 */
public record S3ClientSettings(
        String region,
        Optional<URI> endpoint,
        boolean pathStyle,
        Optional<String> accessKeyId,
        Optional<String> secretAccessKey,
        int maxAttempts,
        Duration baseDelay) {
    public S3ClientSettings {
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(accessKeyId, "accessKeyId");
        Objects.requireNonNull(secretAccessKey, "secretAccessKey");
        Objects.requireNonNull(baseDelay, "baseDelay");
        if (region.isBlank()) {
            throw new IllegalArgumentException("region must not be blank");
        }
        if (accessKeyId.isPresent() != secretAccessKey.isPresent()) {
            throw new IllegalArgumentException("give both the access key id and the secret access key, or neither");
        }
        if (maxAttempts < 1 || maxAttempts > 20) {
            throw new IllegalArgumentException("maxAttempts must be 1 to 20");
        }
        if (baseDelay.isNegative() || baseDelay.compareTo(Duration.ofSeconds(10)) > 0) {
            throw new IllegalArgumentException("baseDelay must be 0 to 10 s");
        }
    }

    /** AWS S3 in {@code region}, with the default credentials chain, 5 attempts and a 100 ms base delay. */
    public static S3ClientSettings of(String region) {
        return new S3ClientSettings(
                region, Optional.empty(), false, Optional.empty(), Optional.empty(), 5, Duration.ofMillis(100));
    }

    /** The same, talking to {@code uri} (an S3-compatible server), with path-style addressing when asked. */
    public S3ClientSettings withEndpoint(URI uri, boolean usePathStyle) {
        return new S3ClientSettings(
                region, Optional.of(uri), usePathStyle, accessKeyId, secretAccessKey, maxAttempts, baseDelay);
    }

    /** The same, signing with these static credentials. */
    public S3ClientSettings withCredentials(String keyId, String secret) {
        return new S3ClientSettings(
                region, endpoint, pathStyle, Optional.of(keyId), Optional.of(secret), maxAttempts, baseDelay);
    }

    /** The same, with this retry policy. */
    public S3ClientSettings withRetries(int attempts, Duration delay) {
        return new S3ClientSettings(region, endpoint, pathStyle, accessKeyId, secretAccessKey, attempts, delay);
    }

    @Override
    public String toString() {
        return "S3ClientSettings[region=" + region + ", endpoint="
                + endpoint.map(URI::toString).orElse("(AWS)")
                + ", pathStyle=" + pathStyle + ", accessKeyId=" + accessKeyId.orElse("(default chain)")
                + ", secretAccessKey=" + secretAccessKey.map(s -> "<redacted>").orElse("(default chain)")
                + ", maxAttempts=" + maxAttempts + ", baseDelay=" + baseDelay + "]";
    }
}
