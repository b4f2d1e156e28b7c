package dev.wharf.proxy.bundle;

import dev.wharf.config.WharfConfig;
import dev.wharf.proxy.Core;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code wharf import BUNDLE.tar}: verifies a bundle while reading it once and records its images under their upstream
 * names, so clients pull them through this Wharf by their usual names. Exit codes: 0 imported, 1 an invalid
 * configuration or a refused bundle (said in one line, nothing recorded), 2 a usage error.
 */
@Command(
        name = "import",
        mixinStandardHelpOptions = true,
        description = "Verify a bundle written by wharf export and record its images in the cache.")
public final class ImportCommand implements Callable<Integer> {
    @Parameters(paramLabel = "BUNDLE.tar", description = "the bundle to import")
    Path bundle;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration (default: built-in)")
    Path config;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<WharfConfig> loaded = CliCore.config(config, err);
        if (loaded.isEmpty()) {
            return 1;
        }
        if (!Files.isRegularFile(bundle)) {
            throw new CommandLine.ParameterException(spec.commandLine(), bundle + ": no such file");
        }
        Optional<Core> opened = CliCore.open(loaded.get(), "import", err);
        if (opened.isEmpty()) {
            return 1;
        }
        try (Core core = opened.get();
                InputStream in = new BufferedInputStream(Files.newInputStream(bundle), 1024 * 1024)) {
            Importer.Summary summary =
                    new Importer(core.blobs(), core.index(), loaded.get(), Clock.systemUTC()).run(in);
            out.printf(
                    "%s: %d images and %d referrers indexes recorded; %d blobs written (%d bytes), %d already"
                            + " stored%n",
                    bundle,
                    summary.images(),
                    summary.referrers(),
                    summary.written(),
                    summary.bytesWritten(),
                    summary.present());
            out.flush();
            return 0;
        } catch (NoSuchFileException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), bundle + ": no such file");
        } catch (BundleException e) {
            err.println("wharf import: " + bundle + ": " + e.getMessage());
            err.flush();
            return 1;
        }
    }
}
