package dev.wharf.proxy.bundle;

import dev.wharf.config.PrewarmRule;
import dev.wharf.config.WharfConfig;
import dev.wharf.proxy.Core;
import dev.wharf.proxy.prewarm.ImagePlan;
import dev.wharf.proxy.prewarm.Planner;
import dev.wharf.proxy.prewarm.PrewarmRules;
import dev.wharf.proxy.prewarm.RulePlan;
import dev.wharf.proxy.pull.Platform;
import dev.wharf.proxy.pull.Reference;
import dev.wharf.storage.Digest;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wharf export}: writes images, fetched through the cache first when missing, with their referrers, to a bundle
 * (an OCI image layout in a tar) for a site without a route to any registry. Exit codes: 0 written, 1 an invalid
 * configuration, an image that cannot be had (each named) or a failed write, 2 a usage error.
 */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description =
                "Write cached images and their referrers to a bundle (OCI image layout tar) for air-gapped sites.")
public final class ExportCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration (default: built-in)")
    Path config;

    @Option(names = "--out", paramLabel = "BUNDLE.tar", required = true, description = "the bundle to write")
    Path out;

    @Option(
            names = "--image",
            paramLabel = "REF",
            description = "an image by its usual name (host/repository:tag or @digest); repeatable")
    List<String> images = new ArrayList<>();

    @Option(
            names = "--rule",
            paramLabel = "NAME",
            description = "the images a prewarm rule selects now, with its platforms; repeatable")
    List<String> rules = new ArrayList<>();

    @Option(
            names = "--platform",
            paramLabel = "OS/ARCH[/VARIANT]",
            description = "the platforms of multi-platform images to carry (default: all); repeatable")
    List<String> platforms = new ArrayList<>();

    @Option(
            names = "--since",
            paramLabel = "BUNDLE.tar",
            description = "an earlier bundle: leave out the blobs it holds (a delta)")
    Path since;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The prewarm rules named by {@code --rule}, in the order given; an unknown name is a usage error. */
    private List<PrewarmRule> rules(WharfConfig config) {
        List<PrewarmRule> known = PrewarmRules.read(config, System.getenv()).rules();
        List<PrewarmRule> named = new ArrayList<>();
        for (String name : rules) {
            named.add(known.stream()
                    .filter(rule -> rule.name().equals(name))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no prewarm rule named " + name)));
        }
        return named;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<WharfConfig> loaded = CliCore.config(config, err);
        if (loaded.isEmpty()) {
            return 1;
        }
        List<Exporter.Selected> selection = new ArrayList<>();
        Set<Platform> chosen = new LinkedHashSet<>();
        List<PrewarmRule> selectedRules;
        try {
            if (images.isEmpty() && rules.isEmpty()) {
                throw new IllegalArgumentException("name at least one --image or --rule");
            }
            selectedRules = rules(loaded.get());
            for (String platform : platforms) {
                chosen.add(Platform.parse(platform));
            }
            for (String image : images) {
                selection.add(new Exporter.Selected(ImageRef.parse(image, loaded.get()), chosen));
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Set<Digest> earlier;
        try {
            earlier = since == null ? Set.of() : BlobPath.inBundle(since);
        } catch (IOException e) {
            err.println("wharf export: cannot read the earlier bundle " + since + ": " + e.getMessage());
            err.flush();
            return 1;
        }
        Optional<Core> opened = CliCore.open(loaded.get(), "export", err);
        if (opened.isEmpty()) {
            return 1;
        }
        try (Core core = opened.get()) {
            List<String> unplanned = new ArrayList<>();
            Planner planner = new Planner(core.pull());
            for (PrewarmRule rule : selectedRules) {
                RulePlan plan = planner.plan(rule);
                for (ImagePlan image : plan.images()) {
                    selection.add(new Exporter.Selected(
                            new ImageRef(Planner.target(image, rule), Reference.parse(image.reference())),
                            Planner.platforms(rule)));
                }
                plan.failures()
                        .forEach((reference, failure) ->
                                unplanned.add("rule " + rule.name() + ": " + reference + ": " + failure));
            }
            Exporter exporter = new Exporter(core.pull(), core.blobs(), err);
            List<String> missing = new ArrayList<>(unplanned);
            missing.addAll(exporter.collect(selection));
            if (!missing.isEmpty()) {
                err.println("wharf export: nothing written; " + missing.size() + " image(s) cannot be had:");
                missing.forEach(m -> err.println("  " + m));
                err.flush();
                return 1;
            }
            Exporter.Summary summary;
            try {
                summary = exporter.write(this.out, earlier);
            } catch (IOException e) {
                err.println("wharf export: cannot write " + this.out + ": " + e.getMessage() + " (nothing written)");
                err.flush();
                return 1;
            }
            out.printf(
                    "%s: %d references, %d blobs (%d bytes)%s%n",
                    this.out,
                    summary.refs(),
                    summary.blobs(),
                    summary.bytes(),
                    since == null ? "" : ", leaving out the " + earlier.size() + " blobs of " + since);
            out.flush();
            return 0;
        }
    }
}
