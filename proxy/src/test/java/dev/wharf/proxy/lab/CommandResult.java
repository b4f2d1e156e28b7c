package dev.wharf.proxy.lab;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** What a finished external command left behind. */
public record CommandResult(List<String> command, int exitCode, byte[] stdout, String stderr) {
    /** Standard output as UTF-8 text. */
    public String stdoutText() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    /** Throws, quoting the command and its output, unless it exited with 0. */
    public CommandResult requireSuccess() {
        if (exitCode != 0) {
            throw new IllegalStateException(describe());
        }
        return this;
    }

    /** The command line, exit code and both output streams, for failure messages. */
    public String describe() {
        return String.join(" ", command) + " exited with " + exitCode + "\n--- stdout\n" + stdoutText()
                + "\n--- stderr\n" + stderr;
    }
}
