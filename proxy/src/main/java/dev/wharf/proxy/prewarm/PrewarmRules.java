package dev.wharf.proxy.prewarm;

import dev.wharf.config.PrewarmFiles;
import dev.wharf.config.PrewarmRule;
import dev.wharf.config.WharfConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Every prewarm rule in force: the configuration's, then the valid rule files' ones, and the rule files' problems. */
public record PrewarmRules(List<PrewarmRule> rules, List<String> problems) {
    public PrewarmRules {
        rules = List.copyOf(rules);
        problems = List.copyOf(problems);
    }

    /** The rules of {@code config} and of its {@code prewarmDir} as the files are now. */
    public static PrewarmRules read(WharfConfig config, Map<String, String> env) {
        List<PrewarmFiles.FileRules> files = PrewarmFiles.read(config, env);
        List<PrewarmRule> rules = new ArrayList<>(config.prewarm());
        files.forEach(file -> rules.addAll(file.rules()));
        return new PrewarmRules(rules, PrewarmFiles.problems(files));
    }
}
