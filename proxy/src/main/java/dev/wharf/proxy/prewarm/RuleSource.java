package dev.wharf.proxy.prewarm;

import dev.wharf.config.PrewarmFiles;
import dev.wharf.config.PrewarmRule;
import dev.wharf.config.WharfConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The rules in force as the rule files change under a running server: the configuration's, and each rule file's as
 * last read. A file that turns invalid keeps its last valid rules in force (a typo in one team's file neither stops
 * its prewarming nor unpins its images) and its problems are reported until fixed; a removed file's rules are gone.
 */
public final class RuleSource implements Supplier<PrewarmRules> {
    private final WharfConfig config;
    private final Map<String, String> env;
    private Map<Path, List<PrewarmRule>> lastValid = Map.of();

    public RuleSource(WharfConfig config, Map<String, String> env) {
        this.config = config;
        this.env = Map.copyOf(env);
    }

    /** The rules now, reading every rule file again. */
    @Override
    public synchronized PrewarmRules get() {
        List<PrewarmFiles.FileRules> files = PrewarmFiles.read(config, env);
        List<PrewarmRule> rules = new ArrayList<>(config.prewarm());
        Map<Path, List<PrewarmRule>> valid = new HashMap<>();
        for (PrewarmFiles.FileRules file : files) {
            List<PrewarmRule> inForce =
                    file.problems().isEmpty() ? file.rules() : lastValid.getOrDefault(file.file(), List.of());
            rules.addAll(inForce);
            valid.put(file.file(), inForce);
        }
        lastValid = valid;
        return new PrewarmRules(rules, PrewarmFiles.problems(files));
    }
}
