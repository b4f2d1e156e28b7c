package dev.wharf.proxy.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Wharf as a child process, started by the {@code bin/wharf} launcher on the jar {@code mvn package} built, under a
 * file-descriptor limit of its own ({@code ulimit -n}), listening on a free loopback port with its cache in a given
 * directory; its output (JSON log lines) goes to a file. Stopped by its PID on close.
 */
public final class WharfProcess implements AutoCloseable {
    private static final Path LAUNCHER =
            Path.of("..", "bin", "wharf").toAbsolutePath().normalize();
    private static final Duration START_DEADLINE = Duration.ofSeconds(60);

    private final Process process;
    private final Path log;
    private final int port;

    private WharfProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /**
     * Starts {@code wharf serve} with {@code yaml} (no listen, adminListen or storage keys) under {@code ulimit -n
     * descriptorLimit}, caching in {@code dir/data}, and waits until it answers {@code /v2/}.
     */
    public static WharfProcess start(Path dir, String yaml, int descriptorLimit) throws IOException {
        if (!Files.isExecutable(LAUNCHER)) {
            throw new IllegalStateException(LAUNCHER + " is not executable");
        }
        Path bash = Tools.require("bash", "bash");
        int port = FreePort.find();
        int adminPort = FreePort.find();
        while (adminPort == port) {
            adminPort = FreePort.find();
        }
        Path config = Files.writeString(
                dir.resolve("wharf.yaml"),
                "listen: 127.0.0.1:" + port + "\nadminListen: 127.0.0.1:" + adminPort + "\nstorage:\n  path: "
                        + dir.resolve("data") + "\n" + yaml);
        Path log = dir.resolve("wharf.log");
        Process process = new ProcessBuilder(
                        bash.toString(),
                        "-c",
                        "ulimit -n " + descriptorLimit + " && exec \"$0\" serve --config \"$1\"",
                        LAUNCHER.toString(),
                        config.toString())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        WharfProcess wharf = new WharfProcess(process, log, port);
        try {
            wharf.awaitListening();
        } catch (RuntimeException | IOException e) {
            wharf.close();
            throw e;
        }
        return wharf;
    }

    private void awaitListening() throws IOException {
        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("wharf serve exited with " + process.exitValue() + ":\n" + log());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
                return;
            } catch (IOException notYet) {
                pause();
            }
        }
        throw new IllegalStateException("wharf serve did not listen within " + START_DEADLINE + ":\n" + log());
    }

    /** {@code http://127.0.0.1:PORT} of the registry API. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** The process's PID. */
    public long pid() {
        return process.pid();
    }

    /** Everything the process wrote so far. */
    public String log() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /** Its log lines so far. */
    public List<String> logLines() throws IOException {
        return log().lines().toList();
    }

    /** How many file descriptors the process holds open now (from {@code /proc/PID/fd}). */
    public int openDescriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(process.pid()), "fd"))) {
            return (int) fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sets the running process's file-descriptor limit (soft and hard) with {@code prlimit} (util-linux). */
    public void limitDescriptors(int limit) {
        Tools.require("prlimit", "util-linux");
        Command.run(
                        Duration.ofSeconds(10),
                        List.of("prlimit", "--pid", Long.toString(process.pid()), "--nofile=" + limit + ":" + limit))
                .requireSuccess();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
