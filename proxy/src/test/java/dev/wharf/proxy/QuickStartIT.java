package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.lab.FreePort;
import dev.wharf.proxy.lab.ImageFormat;
import dev.wharf.proxy.lab.ImageSeeder;
import dev.wharf.proxy.lab.RegistryProcess;
import dev.wharf.proxy.lab.SeededImage;
import dev.wharf.proxy.lab.Skopeo;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Wharf run the way the README's quick start says, through the {@code bin/wharf} launcher on the jar {@code mvn package}
 * built: it checks a config, starts, says what it runs with, serves skopeo a real image, and stops on SIGTERM.
 */
@Timeout(120)
class QuickStartIT {
    private static final Path LAUNCHER =
            Path.of("..", "bin", "wharf").toAbsolutePath().normalize();

    @Test
    void theLauncherChecksAConfigAndServesAPull(@TempDir Path dir) throws Exception {
        assertTrue(Files.isExecutable(LAUNCHER), LAUNCHER + " is executable");
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            SeededImage image =
                    ImageSeeder.of(registry).seedImage("org/app", List.of("1.0"), ImageFormat.OCI, "amd64", 2);
            int port = FreePort.find();
            Path config = Files.writeString(
                    dir.resolve("wharf.yaml"),
                    "listen: 127.0.0.1:" + port + "\n"
                            + "adminListen: 127.0.0.1:" + FreePort.find() + "\n"
                            + "storage: {path: data}\n"
                            + "defaultUpstream: up.test\n"
                            + "upstreams:\n  - name: up.test\n    url: " + registry.url() + "\n");
            Path bad = Files.writeString(dir.resolve("bad.yaml"), "listen: nowhere\n");

            Launched check = launch(dir, "config", "check", config.toString());
            assertEquals(0, check.waitFor(), check.output());
            Launched refused = launch(dir, "config", "check", bad.toString());
            assertEquals(1, refused.waitFor());
            assertTrue(refused.output().contains("listen: \"nowhere\""), refused.output());

            Launched serve = launch(dir, "serve", "--config", config.toString());
            try {
                URI base = URI.create("http://127.0.0.1:" + port);
                awaitAnswer(base.resolve("/v2/"), serve.process());
                new Skopeo()
                        .copyToDir("127.0.0.1:" + port + "/" + image.reference(), dir.resolve("pulled"))
                        .requireSuccess();
                for (String blob : image.blobDigests()) {
                    Path file = dir.resolve("pulled").resolve(blob.substring("sha256:".length()));
                    assertTrue(Files.exists(file), "skopeo stored " + blob);
                }
            } finally {
                serve.process().destroy();
                assertTrue(serve.process().waitFor(30, TimeUnit.SECONDS), "Wharf stops on SIGTERM");
            }
            // Without a terminal Wharf logs JSON lines (which escape "/" as "\/"): read them as text.
            String output = serve.output();
            assertTrue(
                    output.lines()
                                    .filter(line -> line.startsWith("{\"timestamp\":"))
                                    .count()
                            >= 4,
                    "JSON lines without a terminal: " + output);
            String log = output.replace("\\/", "/");
            assertTrue(log.contains("configuration: " + config.toAbsolutePath()), log);
            assertTrue(log.contains("started: registry API on /127.0.0.1:" + port), log);
            assertTrue(log.contains("storage: disk at " + dir.resolve("data")), log);
            assertTrue(log.contains("up.test -> " + registry.url()), log);
            // The JVM ends with 143 (128 + SIGTERM) once its shutdown hook closed Wharf.
            assertEquals(143, serve.process().exitValue(), log);
        }
    }

    /** A launcher run: the process and the file its output goes to. */
    private record Launched(Process process, Path log) {
        int waitFor() throws InterruptedException {
            return process.waitFor();
        }

        String output() throws IOException {
            return Files.readString(log, StandardCharsets.UTF_8);
        }
    }

    private static Launched launch(Path dir, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
        command.addAll(List.of(args));
        Path log = Files.createTempFile(dir, "wharf-" + args[0] + "-", ".log");
        Process process = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        return new Launched(process, log);
    }

    private static void awaitAnswer(URI uri, Process serve) throws Exception {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!serve.isAlive()) {
                throw new AssertionError("wharf serve exited with " + serve.exitValue());
            }
            try {
                HttpResponse<Void> answer = http.send(
                        HttpRequest.newBuilder(uri)
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                assertEquals(200, answer.statusCode());
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("wharf serve did not answer " + uri + " within 60 s");
    }
}
