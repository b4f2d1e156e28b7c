package dev.wharf.proxy;

import dev.wharf.proxy.upstream.WatchedFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * S3 credentials whose secret lives in a file, such as a mounted Kubernetes Secret: read again whenever the file
 * changes, so that a rotated key is used from the next request on, without a restart. The secret never appears in a
 * message.
 */
final class S3SecretFileCredentials implements AwsCredentialsProvider {
    private static final int LIMIT = 4 * 1024;

    private final String accessKeyId;
    private final WatchedFile secret;

    S3SecretFileCredentials(String accessKeyId, Path secretFile) {
        this.accessKeyId = accessKeyId;
        this.secret = new WatchedFile(secretFile, LIMIT);
    }

    @Override
    public AwsCredentials resolveCredentials() {
        String value;
        try {
            value = new String(secret.read(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw SdkClientException.create(
                    "storage.s3.secretAccessKeyFile " + secret.path() + " " + WatchedFile.reason(e));
        }
        if (value.isEmpty()) {
            throw SdkClientException.create("storage.s3.secretAccessKeyFile " + secret.path() + " is empty");
        }
        return AwsBasicCredentials.create(accessKeyId, value);
    }
}
