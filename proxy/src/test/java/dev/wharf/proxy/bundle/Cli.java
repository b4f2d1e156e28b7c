package dev.wharf.proxy.bundle;

import dev.wharf.proxy.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;

/** Runs the {@code wharf} command line in this JVM, as {@code bin/wharf} would, capturing its output. */
record Cli(int exitCode, String out, String err) {
    static Cli run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new CommandLine(new Main())
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .execute(args);
        return new Cli(code, out.toString(), err.toString());
    }

    /** Writes a configuration file with {@code storage.path: data} and {@code yaml}; returns its path. */
    static Path config(Path dir, Path data, String yaml) throws IOException {
        Path file = dir.resolve("wharf-" + data.getFileName() + ".yaml");
        Files.writeString(file, "storage:\n  path: " + data + "\n" + yaml);
        return file;
    }

    Cli requireSuccess() {
        if (exitCode != 0) {
            throw new AssertionError("wharf exited " + exitCode + ": " + err + out);
        }
        return this;
    }
}
