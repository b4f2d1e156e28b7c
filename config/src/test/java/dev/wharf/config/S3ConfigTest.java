package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class S3ConfigTest {
    @TempDir
    Path dir;

    @Test
    void withoutS3TheDiskStoreIsUsed() {
        WharfConfig config = ConfigLoader.parse("storage: {path: /var/lib/wharf}", Map.of(), dir);

        assertEquals(Optional.empty(), config.storage().s3());
    }

    @Test
    void everyKeyIsRead() throws Exception {
        Path secret = Files.writeString(dir.resolve("s3-secret"), "shh\n");
        String yaml = """
                storage:
                  path: /var/lib/wharf
                  s3:
                    bucket: wharf-cache
                    prefix: prod
                    region: eu-west-1
                    endpoint: http://minio:9000
                    pathStyle: true
                    accessKeyId: ${KEY_ID}
                    secretAccessKeyFile: s3-secret
                    redirect: true
                    redirectTtl: 5m
                    diskTier: 20GiB
                """;

        S3Config s3 = ConfigLoader.parse(yaml, Map.of("KEY_ID", "AKIDEXAMPLE"), dir)
                .storage()
                .s3()
                .orElseThrow();

        assertEquals("wharf-cache", s3.bucket());
        assertEquals("prod/", s3.prefix());
        assertEquals(Optional.of("eu-west-1"), s3.region());
        assertEquals(Optional.of(URI.create("http://minio:9000")), s3.endpoint());
        assertTrue(s3.pathStyle());
        assertEquals(Optional.of("AKIDEXAMPLE"), s3.accessKeyId());
        assertEquals(Optional.empty(), s3.secretAccessKey());
        assertEquals(Optional.of(secret), s3.secretAccessKeyFile());
        assertTrue(s3.redirect());
        assertEquals(Duration.ofMinutes(5), s3.redirectTtl());
        assertEquals(20L << 30, s3.diskTier());
        assertFalse(s3.toString().contains("shh"));
    }

    @Test
    void onlyTheBucketIsRequired() {
        S3Config s3 = ConfigLoader.parse("storage:\n  s3: {bucket: wharf}", Map.of(), dir)
                .storage()
                .s3()
                .orElseThrow();

        assertEquals("", s3.prefix());
        assertEquals(Optional.empty(), s3.region());
        assertEquals(Optional.empty(), s3.endpoint());
        assertFalse(s3.pathStyle());
        assertEquals(Optional.empty(), s3.accessKeyId());
        assertFalse(s3.redirect());
        assertEquals(Duration.ofMinutes(10), s3.redirectTtl());
        assertEquals(0, s3.diskTier());
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                row(
                        "{}",
                        "storage.s3.bucket: missing (expected: bucket name: 3-63 lowercase letters, digits, dots"
                                + " and hyphens)"),
                row(
                        "{bucket: My_Bucket}",
                        "storage.s3.bucket: \"My_Bucket\" (expected: bucket name: 3-63 lowercase"
                                + " letters, digits, dots and hyphens)"),
                row(
                        "{bucket: ab}",
                        "storage.s3.bucket: \"ab\" (expected: bucket name: 3-63 lowercase letters,"
                                + " digits, dots and hyphens)"),
                row(
                        "{bucket: wharf, prefix: /prod}",
                        "storage.s3.prefix: \"/prod\" (expected: key prefix like prod/ (no leading slash, no ..))"),
                row(
                        "{bucket: wharf, prefix: a/../b}",
                        "storage.s3.prefix: \"a/../b\" (expected: key prefix like prod/ (no leading slash, no ..))"),
                row(
                        "{bucket: wharf, region: US East}",
                        "storage.s3.region: \"US East\" (expected: region like us-east-1)"),
                row(
                        "{bucket: wharf, endpoint: 'http://user:pw@minio:9000'}",
                        "storage.s3.endpoint: not a usable URL (expected: http(s)://host[:port] without credentials,"
                                + " query or fragment)"),
                row(
                        "{bucket: wharf, endpoint: 'ftp://minio'}",
                        "storage.s3.endpoint: not a usable URL (expected: http(s)://host[:port] without credentials,"
                                + " query or fragment)"),
                row("{bucket: wharf, pathStyle: maybe}", "storage.s3.pathStyle: \"maybe\" (expected: true or false)"),
                row(
                        "{bucket: wharf, diskTier: lots}",
                        "storage.s3.diskTier: \"lots\" (expected: size like 512MiB, 20GiB, 1TB)"),
                row(
                        "{bucket: wharf, redirectTtl: 30d}",
                        "storage.s3.redirectTtl: \"30d\" (expected: duration from 1s to 7d)"),
                row(
                        "{bucket: wharf, accessKeyId: AKID}",
                        "storage.s3.accessKeyId: without a secret (expected: secretAccessKey or secretAccessKeyFile)"),
                row(
                        "{bucket: wharf, secretAccessKey: shh}",
                        "storage.s3: a secret without accessKeyId (expected: accessKeyId with its secret)"),
                row(
                        "{bucket: wharf, accessKeyId: AKID, secretAccessKey: shh, secretAccessKeyFile: /etc/hostname}",
                        "storage.s3: both secretAccessKey and secretAccessKeyFile (expected: one of them)"),
                row(
                        "{bucket: wharf, accessKeyId: AKID, secretAccessKeyFile: /nonexistent/secret}",
                        "storage.s3.secretAccessKeyFile: \"/nonexistent/secret\" (expected: a readable file)"),
                row("{bucket: wharf, acl: private}", "storage.s3.acl: unknown key"),
                row(
                        "[wharf]",
                        "storage.s3: a list (expected: a mapping with bucket and optional prefix, region,"
                                + " endpoint, credentials)"));
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void reportsEachProblemWithItsPathAndNeverTheSecret(String s3, List<String> expected) {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> ConfigLoader.parse("storage:\n  s3: " + s3, Map.of(), Path.of("/etc/wharf")));

        assertEquals(expected, e.problems());
        assertFalse(e.getMessage().contains("shh"), e.getMessage());
        assertFalse(e.getMessage().contains(":pw@"), e.getMessage());
    }

    private static Arguments row(String yaml, String... problems) {
        return Arguments.of(yaml, List.of(problems));
    }
}
