package dev.wharf.proxy.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Docker Engine ({@code dockerd}, Debian package {@code docker.io}) in a temp dir, with a registry mirror and
 * no networking of its own (no bridge, no iptables), reached through its own unix socket. Runs as root.
 */
public final class DockerEngine implements AutoCloseable {
    private static final Duration START_DEADLINE = Duration.ofSeconds(30);
    private static final Duration PULL_TIMEOUT = Duration.ofMinutes(2);

    private final Path dir;
    private final Process process;

    private DockerEngine(Path dir, Process process) {
        this.dir = dir;
        this.process = process;
    }

    /** Starts dockerd with {@code mirror} as its Docker Hub registry mirror and waits until it answers. */
    public static DockerEngine start(URI mirror) {
        Path dockerd = Tools.require("dockerd", "docker.io");
        Tools.require("docker", "docker.io");
        Path dir = TempDirs.create("wharf-docker-");
        Process process;
        try {
            process = new ProcessBuilder(
                            dockerd.toString(),
                            "--data-root",
                            dir.resolve("root").toString(),
                            "--exec-root",
                            dir.resolve("exec").toString(),
                            "--pidfile",
                            dir.resolve("docker.pid").toString(),
                            "-H",
                            "unix://" + dir.resolve("docker.sock"),
                            "--storage-driver",
                            "vfs",
                            "--bridge",
                            "none",
                            "--iptables=false",
                            "--ip6tables=false",
                            "--ip-masq=false",
                            "--registry-mirror",
                            mirror.toString())
                    .redirectInput(
                            ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("dockerd.log").toFile())
                    .start();
        } catch (IOException e) {
            TempDirs.delete(dir);
            throw new UncheckedIOException(e);
        }
        DockerEngine engine = new DockerEngine(dir, process);
        try {
            engine.awaitReady();
            return engine;
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
    }

    /** Runs {@code docker ARGS...} against this engine and returns whatever happened. */
    public CommandResult docker(String... args) {
        List<String> command =
                new ArrayList<>(List.of(Tools.require("docker", "docker.io").toString()));
        command.addAll(List.of(args));
        return Command.run(PULL_TIMEOUT, command, Map.of("DOCKER_HOST", "unix://" + dir.resolve("docker.sock")));
    }

    /** {@code docker pull IMAGE}; throws on failure. */
    public CommandResult pull(String image) {
        return docker("pull", image).requireSuccess();
    }

    /** The repository digests ({@code name@sha256:...}) Docker recorded for a pulled image. */
    public String repoDigests(String image) {
        return docker("image", "inspect", "--format", "{{json .RepoDigests}}", image)
                .requireSuccess()
                .stdoutText()
                .trim();
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("dockerd exited with " + process.exitValue() + ":\n" + log());
            }
            if (Files.exists(dir.resolve("docker.sock")) && docker("version").exitCode() == 0) {
                return;
            }
            RegistryProcess.pause(Duration.ofMillis(100));
        }
        throw new IllegalStateException("dockerd did not answer within " + START_DEADLINE + ":\n" + log());
    }

    /** What dockerd logged so far. */
    public String log() {
        try {
            Path log = dir.resolve("dockerd.log");
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        // dockerd mounts its data root and may leave a network namespace mount behind.
        for (String mount : List.of("exec/netns/default", "root")) {
            Command.run(
                    Duration.ofSeconds(10),
                    List.of("umount", "-l", dir.resolve(mount).toString()));
        }
        TempDirs.delete(dir);
    }
}
