package dev.wharf.proxy;

import dev.wharf.config.ConfigException;
import dev.wharf.config.ConfigLoader;
import dev.wharf.config.PrewarmFiles;
import dev.wharf.config.UpstreamConfig;
import dev.wharf.config.WharfConfig;
import dev.wharf.proxy.bundle.ExportCommand;
import dev.wharf.proxy.bundle.ImportCommand;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The {@code wharf} command line: {@code serve}, {@code config check}, {@code health}, {@code prewarm plan|run},
 * {@code export}, {@code import}, {@code --help}, {@code --version}. Exit codes:
 * 0 success, 1 an invalid configuration or a failed start-up (said in one line), 2 a usage error.
 */
@Command(
        name = "wharf",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Pull-through caching proxy for OCI container registries.",
        subcommands = {
            Main.Serve.class,
            Main.ConfigCommand.class,
            HealthCommand.class,
            PrewarmCommand.class,
            ExportCommand.class,
            ImportCommand.class
        })
public final class Main implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code wharf serve}: runs until stopped. */
    @Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the registry cache.")
    static final class Serve implements Callable<Integer> {
        @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration (default: built-in)")
        Path config;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws InterruptedException {
            WharfConfig loaded;
            try {
                loaded = config == null ? ConfigLoader.defaults() : ConfigLoader.load(config);
            } catch (ConfigException e) {
                printProblems(spec.commandLine().getErr(), config, e);
                return 1;
            }
            LOG.info("configuration: {}", config == null ? "built-in defaults" : config.toAbsolutePath());
            Wharf wharf;
            try {
                wharf = Wharf.start(loaded, Clock.systemUTC());
            } catch (StartupException e) {
                LOG.debug("start-up failed", e);
                spec.commandLine().getErr().println("wharf: " + e.getMessage());
                spec.commandLine().getErr().flush();
                return 1;
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                wharf.close();
                                stopped.countDown();
                            },
                            "wharf-shutdown"));
            stopped.await();
            return 0;
        }
    }

    /** {@code wharf config ...}. */
    @Command(
            name = "config",
            mixinStandardHelpOptions = true,
            description = "Configuration tools.",
            subcommands = {ConfigCheck.class})
    static final class ConfigCommand implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }
    }

    /**
     * {@code wharf config check FILE}: lists every problem, the prewarm rule files' too, exit 1 when there is any;
     * else says which upstreams there are and where each one's credentials come from (never a secret).
     */
    @Command(name = "check", mixinStandardHelpOptions = true, description = "Validate a configuration file.")
    static final class ConfigCheck implements Callable<Integer> {
        @Parameters(paramLabel = "FILE")
        Path file;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            WharfConfig config;
            List<String> ruleFiles;
            try {
                config = ConfigLoader.load(file);
                ruleFiles = PrewarmFiles.problems(PrewarmFiles.read(config, System.getenv()));
            } catch (ConfigException e) {
                printProblems(spec.commandLine().getErr(), file, e);
                return 1;
            }
            if (!ruleFiles.isEmpty()) {
                printProblems(spec.commandLine().getErr(), file, new ConfigException(ruleFiles));
                return 1;
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println(file + ": ok");
            for (UpstreamConfig upstream : config.upstreams()) {
                out.println("  upstream " + upstream.name() + " (" + upstream.url() + "): credentials from "
                        + upstream.credentials().describe());
                upstream.repositoryCredentials()
                        .forEach(scoped -> out.println("    repositories " + scoped.describe()));
            }
            out.flush();
            return 0;
        }
    }

    private static void printProblems(PrintWriter err, Path file, ConfigException e) {
        err.println(file + ": " + e.problems().size() + " problem(s)");
        e.problems().forEach(p -> err.println("  " + p));
        err.flush();
    }

    /** The version recorded in the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"wharf " + StartupReport.version()};
        }
    }
}
