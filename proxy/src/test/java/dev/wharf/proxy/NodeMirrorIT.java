package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.lab.Containerd;
import dev.wharf.proxy.lab.ImageSeeder;
import dev.wharf.proxy.lab.RegistryProcess;
import dev.wharf.proxy.lab.RunningWharf;
import dev.wharf.proxy.lab.SeededImage;
import dev.wharf.proxy.lab.SeededSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's node mirror writer ({@code charts/wharf/files/node-mirror.sh}, what its DaemonSet runs on every node)
 * writes hosts.toml files into a directory that the real containerd then pulls through Wharf with: Docker Hub by
 * {@code ?ns=}, another registry by its path prefix. Neither registry name resolves here, so only the mirror can serve
 * the pulls. Removing the files leaves the directory as it was.
 */
class NodeMirrorIT {
    private static final Path WRITER = Path.of("..", "charts", "wharf", "files", "node-mirror.sh");

    @TempDir
    Path data;

    @TempDir
    Path hosts;

    @Test
    void containerdPullsThroughWharfWithTheFilesTheWriterWrites() throws Exception {
        try (RegistryProcess hub = RegistryProcess.anonymous();
                RegistryProcess other = RegistryProcess.anonymous();
                Containerd containerd = Containerd.start()) {
            SeededImage alpine = ImageSeeder.of(hub).seedStandard().alpine();
            SeededSet seeded = ImageSeeder.of(other).seedStandard();
            String yaml = "upstreams:\n  - {name: docker.io, url: \"" + hub.url() + "\"}\n"
                    + "  - {name: registry.example, url: \"" + other.url() + "\"}\n";
            try (RunningWharf wharf = RunningWharf.start(yaml, data)) {
                writer("write", wharf.url().toString());
                assertTrue(Files.exists(hosts.resolve("docker.io/hosts.toml")));
                assertTrue(Files.exists(hosts.resolve("registry.example/hosts.toml")));

                containerd.pull("docker.io/library/alpine:3.19", hosts);
                containerd.pull("registry.example/org/ociapp:1.0", hosts);

                assertEquals(
                        Optional.of(alpine.manifestDigest()), containerd.imageDigest("docker.io/library/alpine:3.19"));
                assertEquals(
                        Optional.of(seeded.ociApp().manifestDigest()),
                        containerd.imageDigest("registry.example/org/ociapp:1.0"));
                for (String blob : seeded.ociApp().blobDigests()) {
                    assertEquals(1, other.count("GET", ("/v2/org/ociapp/blobs/" + blob)::equals), blob);
                }
            }
            writer("remove", "http://unused");
            assertFalse(Files.exists(hosts.resolve("docker.io/hosts.toml")));
            assertFalse(Files.exists(hosts.resolve("registry.example/hosts.toml")));
        }
    }

    private void writer(String mode, String endpoint) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("sh", WRITER.toString(), mode).redirectErrorStream(true);
        builder.environment().put("HOSTS_DIR", hosts.toString());
        builder.environment().put("REGISTRIES", "docker.io registry.example");
        builder.environment().put("ENDPOINT", endpoint);
        builder.environment().put("DIAL_TIMEOUT", "2s");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the writer did not finish");
        assertEquals(0, process.exitValue(), output);
    }
}
