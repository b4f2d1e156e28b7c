package dev.wharf.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The bucket the cache lives in when {@code storage.s3} is set; the local {@code storage.path} then keeps the index,
 * the fill spool and the optional disk tier.
 *
 * @param bucket the bucket's name
 * @param prefix prepended to every key: empty, or ending in {@code /}
 * @param region the region; empty to take the AWS default chain's ({@code AWS_REGION}, profile), else us-east-1
 * @param endpoint another S3-compatible store's URL; empty for AWS
 * @param pathStyle whether the bucket goes in the path rather than the host name
 * @param accessKeyId a static key id; empty to use the AWS default credential chain
 * @param secretAccessKey the key id's secret when given inline
 * @param secretAccessKeyFile the file holding the key id's secret, re-read when it changes
 * @param redirect whether blob GETs are answered with a redirect to a presigned URL
 * @param redirectTtl how long a presigned URL stays valid
 * @param diskTier bytes of blobs also kept on local disk (those filled here, least recently used dropped); 0: none
 */
public record S3Config(
        String bucket,
        String prefix,
        Optional<String> region,
        Optional<URI> endpoint,
        boolean pathStyle,
        Optional<String> accessKeyId,
        Optional<String> secretAccessKey,
        Optional<Path> secretAccessKeyFile,
        boolean redirect,
        Duration redirectTtl,
        long diskTier) {
    public S3Config {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(accessKeyId, "accessKeyId");
        Objects.requireNonNull(secretAccessKey, "secretAccessKey");
        Objects.requireNonNull(secretAccessKeyFile, "secretAccessKeyFile");
        Objects.requireNonNull(redirectTtl, "redirectTtl");
    }

    /** Never shows the secret. */
    @Override
    public String toString() {
        return "S3Config[bucket=" + bucket + ", prefix=" + prefix + ", region=" + region + ", endpoint=" + endpoint
                + ", pathStyle=" + pathStyle + ", accessKeyId=" + accessKeyId.isPresent() + ", redirect=" + redirect
                + ", diskTier=" + diskTier + "]";
    }
}
