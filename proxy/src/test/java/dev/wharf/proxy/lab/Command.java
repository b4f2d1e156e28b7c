package dev.wharf.proxy.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs an external command to completion within a time limit, capturing its output through files. */
final class Command {
    private Command() {}

    static CommandResult run(Duration timeout, List<String> command) {
        return run(timeout, command, Map.of());
    }

    static CommandResult run(Duration timeout, List<String> command, Map<String, String> environment) {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("wharf-cmd-", ".out");
            err = Files.createTempFile("wharf-cmd-", ".err");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectInput(
                            ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            builder.environment().putAll(environment);
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout
                        + "\n--- stderr\n" + Files.readString(err, StandardCharsets.UTF_8));
            }
            return new CommandResult(
                    List.copyOf(command),
                    process.exitValue(),
                    Files.readAllBytes(out),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // A leftover temp file is harmless; the command's result matters more.
            }
        }
    }
}
