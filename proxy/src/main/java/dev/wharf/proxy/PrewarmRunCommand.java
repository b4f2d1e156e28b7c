package dev.wharf.proxy;

import dev.wharf.config.PrewarmRule;
import dev.wharf.proxy.prewarm.ImagePlan;
import dev.wharf.proxy.prewarm.PrewarmReport;
import dev.wharf.proxy.prewarm.PrewarmRunner;
import dev.wharf.proxy.prewarm.RunListener;
import dev.wharf.proxy.prewarm.RunResult;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code wharf prewarm run}: runs the rules now and prints, per image and per rule, what was fetched; progress as text
 * on a terminal, JSON lines otherwise (or with {@code --json}). Exit 1 when anything failed.
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run prewarm rules now.")
final class PrewarmRunCommand implements Callable<Integer> {
    @Mixin
    PrewarmCommand.Options options;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<PrewarmCommand.Options.Prepared> prepared = options.prepare(err);
        if (prepared.isEmpty()) {
            return 1;
        }
        boolean failed = options.fileProblems;
        boolean json = options.json || System.console() == null;
        try (Core core = prepared.get().core()) {
            PrewarmRunner runner =
                    new PrewarmRunner(core.pull(), options.pins(prepared.get().config()), Clock.systemUTC());
            for (PrewarmRule rule : prepared.get().rules()) {
                RunResult result = runner.run(rule, progress(out, json));
                out.println(
                        json ? PrewarmReport.line(PrewarmReport.summary(result)) : PrewarmReport.summaryText(result));
                out.flush();
                failed |= result.failed();
            }
        }
        return failed ? 1 : 0;
    }

    private static RunListener progress(PrintWriter out, boolean json) {
        return new RunListener() {
            @Override
            public void image(PrewarmRule rule, ImagePlan image, Optional<String> failure) {
                out.println(
                        json
                                ? PrewarmReport.line(failure.map(why -> PrewarmReport.imageFailure(rule, image, why))
                                        .orElseGet(() -> PrewarmReport.image(rule, image)))
                                : PrewarmReport.imageText(rule, image, failure));
                out.flush();
            }

            @Override
            public void failed(PrewarmRule rule, String key, String reason) {
                out.println(
                        json
                                ? PrewarmReport.line(PrewarmReport.failure(rule, key, reason))
                                : rule.name() + "  " + key + "  FAILED: " + reason);
                out.flush();
            }
        };
    }
}
