package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The upstream credentials and TLS example in README.md parses, given the files it names. */
class ReadmeUpstreamExampleTest {
    private static final String MARKER = "<!-- This example is parsed by config's ReadmeUpstreamExampleTest";

    @TempDir
    Path dir;

    @Test
    void readmeExamplePassesConfigCheck() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        int marker = readme.indexOf(MARKER);
        assertTrue(marker >= 0, "README.md lost the upstream example marker");
        int start = readme.indexOf("```yaml\n", marker) + "```yaml\n".length();
        String yaml = readme.substring(start, readme.indexOf("```\n", start));
        write("secrets/dockerconfigjson/.dockerconfigjson", "{\"auths\":{}}");
        write("secrets/ghcr-password", "pw\n");
        write("secrets/quay-token", "token\n");
        write("tls/internal-ca.pem", "-----BEGIN CERTIFICATE-----\n");
        write("tls/wharf-client.pem", "-----BEGIN CERTIFICATE-----\n");
        write("tls/wharf-client.key", "-----BEGIN PRIVATE KEY-----\n");
        Files.createDirectories(dir.resolve("certs.d/legacy.internal"));
        Path helper = write("bin/docker-credential-ecr-login", "#!/bin/sh\n");
        Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwxr-xr-x"));

        WharfConfig config = ConfigLoader.parse(
                yaml, Map.of("INTERNAL_TOKEN", "t", "PATH", dir.resolve("bin").toString()), dir);

        List<UpstreamConfig> upstreams = config.upstreams();
        assertInstanceOf(
                UpstreamCredentials.DockerConfig.class, upstreams.get(0).credentials());
        assertInstanceOf(UpstreamCredentials.Basic.class, upstreams.get(1).credentials());
        assertInstanceOf(UpstreamCredentials.Bearer.class, upstreams.get(2).credentials());
        UpstreamCredentials.Helper ecr =
                (UpstreamCredentials.Helper) upstreams.get(3).credentials();
        assertEquals(Duration.ofHours(1), ecr.settings().ttl());
        assertEquals(Duration.ofSeconds(20), ecr.settings().timeout());
        assertTrue(upstreams.get(4).tls().certFile().isPresent());
        assertEquals(dir.resolve("certs.d"), upstreams.get(5).tls().certsDir().orElseThrow());
        assertEquals(
                Optional.of("arn:aws:iam::210987654321:role/wharf-pull"),
                ((UpstreamCredentials.Ecr) upstreams.get(6).credentials()).roleArn());
        assertEquals(
                Optional.empty(), ((UpstreamCredentials.Gcp) upstreams.get(7).credentials()).keyFile());
    }

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }
}
