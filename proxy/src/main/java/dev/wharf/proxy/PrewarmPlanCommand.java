package dev.wharf.proxy;

import dev.wharf.config.PrewarmRule;
import dev.wharf.proxy.prewarm.ImagePlan;
import dev.wharf.proxy.prewarm.Planner;
import dev.wharf.proxy.prewarm.PrewarmReport;
import dev.wharf.proxy.prewarm.RulePlan;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code wharf prewarm plan}: per rule, the images it selects now, their digests and platforms, and the bytes still
 * to fetch, without fetching any blob (manifests are fetched and kept, as a pull would). Exit 1 when a rule could not
 * be planned or a rule file is invalid.
 */
@Command(name = "plan", mixinStandardHelpOptions = true, description = "Show what prewarm rules would fetch.")
final class PrewarmPlanCommand implements Callable<Integer> {
    @Mixin
    PrewarmCommand.Options options;

    @Option(names = "--verbose", description = "also the listed tags not selected, and why")
    boolean verbose;

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
        try (Core core = prepared.get().core()) {
            Planner planner = new Planner(core.pull());
            for (PrewarmRule rule : prepared.get().rules()) {
                RulePlan plan = planner.plan(rule);
                print(plan, out);
                failed |= !plan.failures().isEmpty();
            }
        }
        out.flush();
        return failed ? 1 : 0;
    }

    private void print(RulePlan plan, PrintWriter out) {
        PrewarmRule rule = plan.rule();
        for (ImagePlan image : plan.images()) {
            out.println(
                    options.json
                            ? PrewarmReport.line(PrewarmReport.image(rule, image))
                            : PrewarmReport.imageText(rule, image, Optional.empty()));
        }
        plan.failures()
                .forEach((reference, why) -> out.println(
                        options.json
                                ? PrewarmReport.line(PrewarmReport.failure(rule, reference, why))
                                : rule.name() + "  " + reference + "  FAILED: " + why));
        if (verbose) {
            plan.rejected()
                    .forEach((tag, why) -> out.println(
                            options.json
                                    ? PrewarmReport.line(PrewarmReport.rejected(rule, tag, why))
                                    : rule.name() + "  " + tag + "  skipped: " + why));
        }
    }
}
