package dev.wharf.charts;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code helm lint --strict} passes for the chart's own values and for each fixture merged into them. */
class ChartLintTest {
    @TempDir
    Path work;

    @ParameterizedTest
    @ValueSource(strings = {"defaults", "disk-volume", "s3-replicas", "prewarm", "node-mirror", "secrets-tls"})
    void lintsStrictly(String fixture) throws IOException {
        LintResult result = Chart.lintStrict(Chart.fixture(fixture), work);

        assertFalse(result.isFailed(), () -> fixture + ": " + String.join("\n", result.getMessages()));
    }

    @Test
    void failsValuesTheSchemaRejects() throws IOException {
        Path bad = Files.writeString(work.resolve("bad.yaml"), "replicaCount: 0\n");

        LintResult result = Chart.lintStrict(bad, Files.createDirectories(work.resolve("bad")));

        assertTrue(result.isFailed(), () -> String.join("\n", result.getMessages()));
        assertTrue(
                String.join("\n", result.getMessages()).contains("replicaCount"),
                () -> result.getMessages().toString());
    }
}
