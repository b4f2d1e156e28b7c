package dev.wharf.proxy.lab;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Headless Chromium (Debian's {@code chromium}): a page's DOM after rendering, and screenshots. */
public final class Chromium {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private final Path binary = Tools.require("chromium", "chromium");
    private final Path profile;

    /** A browser keeping its profile in {@code profile} (a temp directory). */
    public Chromium(Path profile) {
        this.profile = profile;
    }

    /** The DOM of {@code page} once loaded, serialized as HTML. */
    public String dumpDom(URI page) {
        return run("--dump-dom", page.toString()).stdoutText();
    }

    /**
     * Loads {@code page} as {@link #dumpDom} does, returning the whole run: the DOM on stdout, and on stderr why a
     * load failed (headless Chromium cannot answer an authentication prompt: it logs {@code
     * ERR_INVALID_AUTH_CREDENTIALS} and renders nothing).
     */
    public CommandResult load(URI page) {
        return run("--dump-dom", page.toString());
    }

    /** Saves a PNG screenshot of {@code page} to {@code file}. */
    public void screenshot(URI page, Path file) {
        run("--screenshot=" + file.toAbsolutePath(), "--window-size=1200,1800", page.toString());
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("chromium wrote no screenshot to " + file);
        }
    }

    private CommandResult run(String... args) {
        List<String> command = new ArrayList<>(List.of(
                binary.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--user-data-dir=" + profile));
        command.addAll(List.of(args));
        return Command.run(TIMEOUT, command).requireSuccess();
    }
}
