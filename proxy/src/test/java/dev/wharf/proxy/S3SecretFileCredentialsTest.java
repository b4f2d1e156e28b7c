package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.core.exception.SdkClientException;

class S3SecretFileCredentialsTest {
    @TempDir
    Path dir;

    @Test
    void aSecretMountedAsAKubernetesSecretIsReadAgainWhenItsLinkIsSwapped() throws Exception {
        // Kubernetes mounts a Secret as key -> ..data/key, and swaps ..data to a new directory on update.
        Path first = Files.createDirectories(dir.resolve("..2026_11_26_01"));
        Files.writeString(first.resolve("secret"), "first-secret\n");
        Files.createSymbolicLink(dir.resolve("..data"), first.getFileName());
        Files.createSymbolicLink(dir.resolve("secret"), Path.of("..data", "secret"));
        S3SecretFileCredentials credentials = new S3SecretFileCredentials("AKID", dir.resolve("secret"));

        AwsCredentials before = credentials.resolveCredentials();
        Path second = Files.createDirectories(dir.resolve("..2026_11_26_02"));
        Files.writeString(second.resolve("secret"), "second-secret\n");
        Files.createSymbolicLink(dir.resolve("..data_tmp"), second.getFileName());
        Files.move(dir.resolve("..data_tmp"), dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
        AwsCredentials after = credentials.resolveCredentials();

        assertEquals("AKID", before.accessKeyId());
        assertEquals("first-secret", before.secretAccessKey());
        assertEquals("second-secret", after.secretAccessKey());
    }

    @Test
    void aMissingOrEmptyFileFailsNamingTheFileNeverASecret() throws Exception {
        Path file = dir.resolve("secret");
        S3SecretFileCredentials credentials = new S3SecretFileCredentials("AKID", file);

        SdkClientException missing = assertThrows(SdkClientException.class, credentials::resolveCredentials);
        assertTrue(missing.getMessage().contains(file + " does not exist"), missing.getMessage());

        Files.writeString(file, "  \n");
        SdkClientException empty = assertThrows(SdkClientException.class, credentials::resolveCredentials);
        assertTrue(empty.getMessage().contains("is empty"), empty.getMessage());

        Files.writeString(file, "the-secret");
        assertEquals("the-secret", credentials.resolveCredentials().secretAccessKey());
        Files.delete(file);
        SdkClientException gone = assertThrows(SdkClientException.class, credentials::resolveCredentials);
        assertFalse(gone.getMessage().contains("the-secret"), gone.getMessage());
    }
}
