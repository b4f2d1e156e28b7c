package dev.wharf.proxy.bundle;

import dev.wharf.config.ConfigException;
import dev.wharf.config.ConfigLoader;
import dev.wharf.config.WharfConfig;
import dev.wharf.proxy.Core;
import dev.wharf.proxy.StartupException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/**
 * What the bundle commands share: the configuration, loaded as {@code serve} loads it, and the {@link Core} opened on
 * its storage without listeners. A storage is one process's at a time (its index is locked), so these commands refuse
 * to run on the storage of a running {@code wharf serve}, saying so.
 */
final class CliCore {
    private CliCore() {}

    /** The configuration in {@code file} (built-in defaults when null); empty after printing every problem. */
    static Optional<WharfConfig> config(Path file, PrintWriter err) {
        try {
            return Optional.of(file == null ? ConfigLoader.defaults() : ConfigLoader.load(file));
        } catch (ConfigException e) {
            err.println(file + ": " + e.problems().size() + " problem(s)");
            e.problems().forEach(p -> err.println("  " + p));
            err.flush();
            return Optional.empty();
        }
    }

    /** Opens the storage; empty after saying in one line why it cannot be (most often: {@code serve} holds it). */
    static Optional<Core> open(WharfConfig config, String command, PrintWriter err) {
        try {
            return Optional.of(Core.open(config, Clock.systemUTC(), new SimpleMeterRegistry()));
        } catch (RuntimeException e) {
            StartupException why = StartupException.storage(config.storage().path(), e);
            err.println("wharf " + command + ": " + why.getMessage()
                    + (why.getMessage().contains("in use")
                            ? "; stop the wharf serve using it, " + command + ", then start it again"
                            : ""));
            err.flush();
            return Optional.empty();
        }
    }
}
