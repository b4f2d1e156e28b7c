package dev.wharf.charts;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** values.schema.json makes {@code helm template} fail on bad values, naming the offending key. */
class ValuesSchemaTest {
    @TempDir
    Path work;

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "replicaCount: 0                                                              | replicaCount",
                "replicas: 3                                                                  | replicas",
                "replicaCount: \"3\"                                                          | replicaCount",
                "config: {storage: {s3: {bucket: b, secretAccessKey: wJalrXUtnFEMI}}}         | secretAccessKey",
                "config: {upstreams: [{name: ghcr.io, url: https://ghcr.io, username: u, password: hunter2}]} | password",
                "config: {upstreams: [{name: q.io, url: https://q.io, token: abc}]}           | token",
                "config: {listen: 0.0.0.0:8080}                                               | listen",
                "config: {storage: {path: /data}}                                             | path",
                "config: {offline: yes please}                                                | offline",
                "config: {maxStale: a week}                                                   | maxStale",
                "config: {prewarm: [{upstream: docker.io, repository: x, tags: [1.10], every: 1h}]} | tags",
                "nodeMirror: {enabled: true, registries: [../etc]}                            | registries",
                "service: {port: 70000}                                                       | port",
                "prewarmRuleConfigMaps: [Team_A]                                              | prewarmRuleConfigMaps",
                "config: {storage: {maxSize: lots, s3: {bucket: b}}}                          | maxSize",
                "config: {storage: {evictGrace: soon, s3: {bucket: b}}}                       | evictGrace",
            })
    void rejects(String values, String key) throws IOException {
        Path file = Files.writeString(work.resolve("bad.yaml"), values + "\n");

        Exception failure = assertThrows(Exception.class, () -> Chart.template(file));

        String message = String.valueOf(failure.getMessage());
        assertTrue(message.contains("schema"), message);
        assertTrue(message.contains(key), message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "config: {storage: {s3: {bucket: b, secretAccessKey: '${S3_SECRET}'}}}",
                "config: {upstreams: [{name: ghcr.io, url: https://ghcr.io, username: u, password: '${GHCR_PASSWORD}'}]}",
                "config: {accessLog: off}",
            })
    void acceptsSecretsByEnvironmentReference(String values) throws IOException {
        Path file = Files.writeString(work.resolve("good.yaml"), values + "\n");

        assertTrue(Chart.template(file).wharfYaml().contains("listen"));
    }

    @org.junit.jupiter.api.Test
    void carriesTheBucketsEvictionBoundsIntoWharfsConfiguration() throws IOException {
        Path file = Files.writeString(
                work.resolve("bounded.yaml"),
                "config: {storage: {maxSize: 500GiB, minFree: 10GiB, evictEvery: 30s, evictGrace: 15m,"
                        + " s3: {bucket: b}}}\n");

        String wharf = Chart.template(file).wharfYaml();

        for (String line : new String[] {"maxSize: 500GiB", "minFree: 10GiB", "evictEvery: 30s", "evictGrace: 15m"}) {
            assertTrue(wharf.contains(line), line + " in " + wharf);
        }
    }
}
