package dev.wharf.proxy;

import dev.wharf.config.ConfigException;
import dev.wharf.config.ConfigLoader;
import dev.wharf.config.PrewarmRule;
import dev.wharf.config.WharfConfig;
import dev.wharf.proxy.prewarm.PinStore;
import dev.wharf.proxy.prewarm.PrewarmRules;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wharf prewarm plan|run}: opens the storage and upstreams the configuration names (no listener), and works on
 * its prewarm rules. The storage belongs to one process at a time: while {@code wharf serve} holds it, these commands
 * say so and point at the admin endpoint that runs a rule inside the server.
 */
@Command(
        name = "prewarm",
        mixinStandardHelpOptions = true,
        description = "Plan or run prewarm rules now.",
        subcommands = {PrewarmPlanCommand.class, PrewarmRunCommand.class})
final class PrewarmCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The options both subcommands take, and the set-up they share. */
    static final class Options {
        @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration (default: built-in)")
        Path config;

        @Option(names = "--rule", paramLabel = "NAME", description = "only this rule (default: every rule)")
        String rule;

        @Option(names = "--json", description = "one JSON object a line")
        boolean json;

        /** What a subcommand works on: the configuration, the rules chosen, and the core opened on its storage. */
        record Prepared(WharfConfig config, List<PrewarmRule> rules, Core core) {}

        /** The configuration, the rules chosen and the opened core; empty after saying why there is nothing to do. */
        Optional<Prepared> prepare(PrintWriter err) {
            Optional<WharfConfig> loaded = load(err);
            if (loaded.isEmpty()) {
                return Optional.empty();
            }
            Optional<List<PrewarmRule>> chosen = rules(loaded.get(), err);
            if (chosen.isEmpty()) {
                return Optional.empty();
            }
            return open(loaded.get(), err).map(core -> new Prepared(loaded.get(), chosen.get(), core));
        }

        /** The configuration; empty after printing its problems. */
        Optional<WharfConfig> load(PrintWriter err) {
            try {
                return Optional.of(config == null ? ConfigLoader.defaults() : ConfigLoader.load(config));
            } catch (ConfigException e) {
                err.println(config + ": " + e.problems().size() + " problem(s)");
                e.problems().forEach(p -> err.println("  " + p));
                err.flush();
                return Optional.empty();
            }
        }

        /** Whether a rule file had problems (the command then exits non-zero); set by {@link #rules}. */
        boolean fileProblems;

        /** The rules chosen, rule-file problems printed; empty after saying why there are none to work on. */
        Optional<List<PrewarmRule>> rules(WharfConfig config, PrintWriter err) {
            PrewarmRules all = PrewarmRules.read(config, System.getenv());
            all.problems().forEach(p -> err.println("wharf: " + p));
            fileProblems = !all.problems().isEmpty();
            List<PrewarmRule> chosen = all.rules().stream()
                    .filter(r -> rule == null || r.name().equals(rule))
                    .toList();
            if (chosen.isEmpty()) {
                err.println(
                        rule == null ? "wharf: no prewarm rules configured" : "wharf: no prewarm rule named " + rule);
                err.flush();
                return Optional.empty();
            }
            return Optional.of(chosen);
        }

        /** The core over the configured storage; empty after saying in one line why it cannot be opened. */
        Optional<Core> open(WharfConfig config, PrintWriter err) {
            try {
                return Optional.of(Core.open(config, Clock.systemUTC(), new SimpleMeterRegistry()));
            } catch (RuntimeException e) {
                String message =
                        StartupException.storage(config.storage().path(), e).getMessage();
                if (message.contains("in use")) {
                    message += "; while wharf serve runs there, run a rule with: curl -X POST http://"
                            + config.adminListen() + "/prewarm/" + (rule == null ? "NAME" : rule) + "/run";
                }
                err.println("wharf: " + message);
                err.flush();
                return Optional.empty();
            }
        }

        PinStore pins(WharfConfig config) {
            return PinStore.open(config.storage().path());
        }
    }
}
