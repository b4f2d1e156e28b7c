package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.proxy.lab.CommandResult;
import dev.wharf.proxy.lab.DockerEngine;
import dev.wharf.proxy.lab.FreePort;
import dev.wharf.proxy.lab.ImageSeeder;
import dev.wharf.proxy.lab.RegistryProcess;
import dev.wharf.proxy.lab.SeededImage;
import dev.wharf.proxy.lab.Skopeo;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container image the build makes ({@code target/wharf-image.tar}, by jib, without a daemon) as a user runs it:
 * loaded into a real Docker Engine, started with a mounted configuration, as its non-root user, on a read-only root
 * filesystem with the cache on a mounted directory, healthy by the documented health command, and serving the engine
 * itself as its registry mirror: a real {@code docker pull} through it verifies.
 */
class ContainerImageIT {
    private static final Path IMAGE = Path.of("target", "wharf-image.tar");
    private static final Pattern LOADED = Pattern.compile("Loaded image: (\\S+)");
    private static final Duration HEALTHY_DEADLINE = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    @Test
    void theImageServesAsTheEnginesMirrorAsANonRootUserOnAReadOnlyRoot() throws Exception {
        assertTrue(
                Files.isRegularFile(IMAGE),
                "the build made no container image at proxy/" + IMAGE + ": make the base once with"
                        + " deploy/base-image.sh (as root), or build with -Pimage -Dwharf.baseImage=<a JRE 17 image>");
        JsonNode config = new ObjectMapper()
                .readTree(new Skopeo()
                        .run("inspect", "--config", "docker-archive:" + IMAGE.toAbsolutePath())
                        .requireSuccess()
                        .stdout())
                .path("config");
        assertEquals("10001:10001", config.path("User").asText(), "the image runs as a non-root user");

        int port = FreePort.find();
        int adminPort = FreePort.find();
        try (RegistryProcess registry = RegistryProcess.anonymous();
                DockerEngine docker = DockerEngine.start(URI.create("http://127.0.0.1:" + port))) {
            SeededImage alpine = ImageSeeder.of(registry).seedStandard().alpine();
            Matcher loaded = LOADED.matcher(
                    docker.docker("load", "-i", IMAGE.toAbsolutePath().toString())
                            .requireSuccess()
                            .stdoutText());
            assertTrue(loaded.find(), "docker load names the image");
            Path wharfYaml = Files.writeString(
                    dir.resolve("wharf.yaml"),
                    "listen: 127.0.0.1:" + port + "\nadminListen: 127.0.0.1:" + adminPort
                            + "\nstorage:\n  path: /var/lib/wharf\n"
                            + "upstreams:\n  - {name: docker.io, url: \"" + registry.url() + "\"}\n");
            Path cache = Files.createDirectories(dir.resolve("cache"));
            // What a Kubernetes fsGroup or a chown does for a volume: the image's user may write the cache.
            Files.setAttribute(cache, "unix:uid", 10001);
            Files.setAttribute(cache, "unix:gid", 10001);

            docker.docker(
                            "run",
                            "-d",
                            "--name",
                            "wharf",
                            "--network",
                            "host",
                            "--read-only",
                            // RocksDB and Netty load native libraries from /tmp: Docker's tmpfs is noexec
                            // unless told otherwise (a Kubernetes emptyDir is not).
                            "--tmpfs",
                            "/tmp:exec",
                            "-v",
                            wharfYaml + ":/etc/wharf/wharf.yaml:ro",
                            "-v",
                            cache + ":/var/lib/wharf",
                            "--health-cmd",
                            "/opt/wharf/bin/wharf health --url http://127.0.0.1:" + adminPort + "/healthz",
                            "--health-interval",
                            "2s",
                            loaded.group(1))
                    .requireSuccess();
            awaitHealthy(docker);
            assertEquals(
                    "10001",
                    docker.docker("exec", "wharf", "id", "-u")
                            .requireSuccess()
                            .stdoutText()
                            .strip());

            docker.pull("alpine:3.19");

            assertTrue(
                    docker.repoDigests("alpine:3.19").contains("@" + alpine.manifestDigest()),
                    docker.repoDigests("alpine:3.19"));
            for (String blob : alpine.blobDigests()) {
                assertEquals(
                        1,
                        registry.count("GET", ("/v2/library/alpine/blobs/" + blob)::equals),
                        "fetched once, by the Wharf in the container: " + blob);
            }
            assertTrue(Files.list(cache).findAny().isPresent(), "the cache is on the mounted directory");
        }
    }

    private static void awaitHealthy(DockerEngine docker) throws InterruptedException {
        long deadline = System.nanoTime() + HEALTHY_DEADLINE.toNanos();
        String status = "";
        while (System.nanoTime() < deadline) {
            CommandResult state =
                    docker.docker("inspect", "--format", "{{.State.Status}} {{.State.Health.Status}}", "wharf");
            status = state.stdoutText().strip();
            if (status.equals("running healthy")) {
                return;
            }
            if (!status.startsWith("running") && !status.startsWith("created")) {
                break;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the container is not healthy (" + status + "):\n"
                + docker.docker("logs", "wharf").stdoutText()
                + docker.docker("logs", "wharf").stderr());
    }
}
