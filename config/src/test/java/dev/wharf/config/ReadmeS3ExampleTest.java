package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The S3 example in README.md parses, given the secret file it names, and means what its comments say. */
class ReadmeS3ExampleTest {
    private static final String HEADING = "### Storage on S3, and several replicas";

    @TempDir
    Path dir;

    @Test
    void readmeExamplePassesConfigCheck() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        int heading = readme.indexOf(HEADING);
        assertTrue(heading >= 0, "README.md lost the S3 section");
        int start = readme.indexOf("```yaml\n", heading) + "```yaml\n".length();
        String yaml = readme.substring(start, readme.indexOf("```\n", start));
        Files.createDirectories(dir.resolve("secrets"));
        Files.writeString(dir.resolve("secrets/s3-secret"), "example-secret\n");

        S3Config s3 = ConfigLoader.parse(yaml, Map.of("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"), dir)
                .storage()
                .s3()
                .orElseThrow();

        assertEquals("wharf-cache", s3.bucket());
        assertEquals("prod/", s3.prefix());
        assertEquals(Optional.of(URI.create("http://minio:9000")), s3.endpoint());
        assertEquals(Optional.of("AKIDEXAMPLE"), s3.accessKeyId());
        assertEquals(Optional.of(dir.resolve("secrets/s3-secret")), s3.secretAccessKeyFile());
    }
}
