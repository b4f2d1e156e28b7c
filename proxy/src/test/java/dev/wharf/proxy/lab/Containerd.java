package dev.wharf.proxy.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A private containerd daemon (root, state and socket under a temp dir; needs root) driven with the real
 * {@code ctr} client. Only the plugins a pull needs are loaded, and pulls unpack into the {@code native}
 * snapshotter, so nothing is mounted and {@link #close()} can delete everything.
 */
public final class Containerd implements AutoCloseable {
    private static final Duration START_DEADLINE = Duration.ofSeconds(10);
    private static final Duration PULL_TIMEOUT = Duration.ofSeconds(60);
    private static final List<String> DISABLED_PLUGINS = List.of(
            "io.containerd.grpc.v1.cri",
            "io.containerd.internal.v1.opt",
            "io.containerd.internal.v1.tracing",
            "io.containerd.tracing.processor.v1.otlp",
            "io.containerd.snapshotter.v1.aufs",
            "io.containerd.snapshotter.v1.btrfs",
            "io.containerd.snapshotter.v1.devmapper",
            "io.containerd.snapshotter.v1.overlayfs",
            "io.containerd.snapshotter.v1.zfs");

    private final Path dir;
    private final Process process;

    private Containerd(Path dir, Process process) {
        this.dir = dir;
        this.process = process;
    }

    /** Starts containerd and waits until {@code ctr version} reaches it. */
    public static Containerd start() {
        Path daemon = Tools.containerd();
        Tools.ctr();
        Path dir = TempDirs.create("wharf-containerd-");
        Process process;
        try {
            Path config = dir.resolve("config.toml");
            Files.writeString(config, config(dir), StandardCharsets.UTF_8);
            process = new ProcessBuilder(daemon.toString(), "--config", config.toString())
                    .redirectInput(
                            ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("containerd.log").toFile())
                    .start();
        } catch (IOException e) {
            TempDirs.delete(dir);
            throw new UncheckedIOException(e);
        }
        Containerd containerd = new Containerd(dir, process);
        try {
            containerd.awaitReady();
            return containerd;
        } catch (RuntimeException e) {
            containerd.close();
            throw e;
        }
    }

    private static String config(Path dir) {
        StringBuilder toml = new StringBuilder("version = 2\n");
        toml.append("root = \"").append(dir.resolve("root")).append("\"\n");
        toml.append("state = \"").append(dir.resolve("state")).append("\"\n");
        toml.append("disabled_plugins = [");
        toml.append(String.join(
                ", ", DISABLED_PLUGINS.stream().map(p -> "\"" + p + "\"").toList()));
        toml.append("]\n");
        toml.append("[grpc]\n  address = \"").append(dir.resolve("c.sock")).append("\"\n");
        toml.append("[ttrpc]\n  address = \"")
                .append(dir.resolve("c.sock.ttrpc"))
                .append("\"\n");
        toml.append("[debug]\n  address = \"\"\n");
        toml.append("[metrics]\n  address = \"\"\n");
        return toml.toString();
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("containerd exited with " + process.exitValue() + ":\n" + log());
            }
            if (Files.exists(socket()) && ctr("version").exitCode() == 0) {
                return;
            }
            RegistryProcess.pause(Duration.ofMillis(50));
        }
        throw new IllegalStateException("containerd did not answer within " + START_DEADLINE + ":\n" + log());
    }

    /** The gRPC socket {@code ctr -a} talks to. */
    public Path socket() {
        return dir.resolve("c.sock");
    }

    /** Runs {@code ctr -a SOCK ARGS...} and returns whatever happened. */
    public CommandResult ctr(String... args) {
        List<String> command = new ArrayList<>(List.of(Tools.ctr().toString(), "-a", socket().toString()));
        command.addAll(List.of(args));
        return Command.run(PULL_TIMEOUT, command);
    }

    /** {@code ctr images pull --plain-http --hosts-dir HOSTS IMAGE} into the native snapshotter; throws on failure. */
    public CommandResult pull(String image, Path hostsDir) {
        return pull(image, hostsDir, Optional.empty());
    }

    /** {@link #pull(String, Path)} presenting {@code credentials} ({@code --user}). */
    public CommandResult pull(String image, Path hostsDir, Optional<Credentials> credentials) {
        List<String> args = new ArrayList<>(List.of(
                "images", "pull", "--plain-http", "--snapshotter", "native", "--hosts-dir", hostsDir.toString()));
        credentials.ifPresent(c -> args.addAll(List.of("--user", c.colonSeparated())));
        args.add(image);
        return ctr(args.toArray(String[]::new)).requireSuccess();
    }

    /**
     * {@code ctr images pull --hosts-dir HOSTS IMAGE} into the native snapshotter, the scheme of each host coming from
     * {@code hosts.toml} (https with its {@code ca}); returns whatever happened.
     */
    public CommandResult pullAsConfigured(String image, Path hostsDir) {
        return ctr("images", "pull", "--snapshotter", "native", "--hosts-dir", hostsDir.toString(), image);
    }

    /** The digest of the manifest (or index) {@code image} names in containerd's image store, or empty. */
    public Optional<String> imageDigest(String image) {
        CommandResult listed = ctr("images", "ls").requireSuccess();
        return listed.stdoutText()
                .lines()
                .map(line -> line.split("\\s+"))
                .filter(fields -> fields.length > 2 && fields[0].equals(image))
                .map(fields -> fields[2])
                .findFirst();
    }

    /**
     * Writes {@code HOSTS/REGISTRY_HOST/hosts.toml} sending pulls and resolves for {@code registryHost} (e.g.
     * {@code docker.io}, {@code 127.0.0.1:5000}, or {@code _default} for every registry) to {@code mirrorUrl}
     * first; the registry itself stays the upstream, so containerd adds {@code ?ns=registryHost}.
     */
    public static Path writeHostsToml(Path hostsDir, String registryHost, String mirrorUrl) {
        Path file = hostsDir.resolve(registryHost).resolve("hosts.toml");
        String toml = "[host.\"" + mirrorUrl + "\"]\n  capabilities = [\"pull\", \"resolve\"]\n";
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, toml, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /**
     * Like {@link #writeHostsToml(Path, String, String)} for an https mirror trusted through {@code ca} (PEM), sending
     * {@code headers} (a static {@code Authorization}, say) with every request.
     */
    public static Path writeHostsToml(
            Path hostsDir, String registryHost, String mirrorUrl, Path ca, java.util.Map<String, String> headers) {
        Path file = hostsDir.resolve(registryHost).resolve("hosts.toml");
        StringBuilder toml =
                new StringBuilder("[host.\"" + mirrorUrl + "\"]\n  capabilities = [\"pull\", \"resolve\"]\n");
        toml.append("  ca = \"").append(ca).append("\"\n");
        if (!headers.isEmpty()) {
            toml.append("  [host.\"").append(mirrorUrl).append("\".header]\n");
            headers.forEach((name, value) -> toml.append("    ")
                    .append(name)
                    .append(" = \"")
                    .append(value)
                    .append("\"\n"));
        }
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, toml.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** What containerd logged so far. */
    public String log() {
        try {
            Path log = dir.resolve("containerd.log");
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        TempDirs.delete(dir);
    }
}
