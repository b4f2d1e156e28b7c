package dev.wharf.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The prewarm rules of a {@code prewarmDir}: every {@code *.yaml} file in it (not in subdirectories; Kubernetes'
 * ConfigMap links such as {@code ..data} are skipped), each holding one rule mapping or a list of rules. Each file is
 * judged alone: a file with any problem contributes no rule and its problems name it, the others are unaffected.
 * Names are unique across the configuration and all files; a clash is reported in the later file, by file name order.
 */
public final class PrewarmFiles {
    /** What one file holds: its rules when {@code problems} is empty, else no rule. */
    public record FileRules(Path file, List<PrewarmRule> rules, List<String> problems) {
        public FileRules {
            rules = List.copyOf(rules);
            problems = List.copyOf(problems);
        }
    }

    private PrewarmFiles() {}

    /** Every rule file of {@code config.prewarmDir()} read now, in name order; empty without a directory. */
    public static List<FileRules> read(WharfConfig config, Map<String, String> env) {
        if (config.prewarmDir().isEmpty()) {
            return List.of();
        }
        Path dir = config.prewarmDir().get();
        UpstreamNames names = new UpstreamNames();
        Problems ignored = new Problems();
        for (UpstreamConfig upstream : config.upstreams()) {
            names.claim(upstream.name(), "upstreams", upstream.name(), ignored);
            upstream.aliases().forEach(alias -> names.claim(alias, "upstreams", upstream.name(), ignored));
        }
        Set<String> taken =
                config.prewarm().stream().map(PrewarmRule::name).collect(Collectors.toCollection(HashSet::new));
        List<FileRules> files = new ArrayList<>();
        for (Path file : list(dir)) {
            files.add(readFile(file, names, taken, env));
        }
        return files;
    }

    /** Every problem of every file, each prefixed by its file's path. */
    public static List<String> problems(List<FileRules> files) {
        return files.stream().flatMap(f -> f.problems().stream()).toList();
    }

    private static FileRules readFile(Path file, UpstreamNames names, Set<String> taken, Map<String, String> env) {
        String shown = file.toString();
        String text;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(ConfigLoader.MAX_SIZE + 1);
            if (bytes.length > ConfigLoader.MAX_SIZE) {
                return failed(file, shown + ": larger than 1 MiB (expected: a rule file of at most 1 MiB)");
            }
            text = new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return failed(file, shown + ": cannot read (expected: a readable YAML file)");
        }
        JsonNode root;
        try {
            root = ConfigLoader.tree(text);
        } catch (ConfigException e) {
            return failed(file, shown + ": " + e.problems().get(0));
        }
        ReadContext context = new ReadContext(new Problems(), Map.copyOf(env), file.getParent());
        List<Located<JsonNode>> entries = new ArrayList<>();
        if (root.isArray()) {
            for (int i = 0; i < root.size(); i++) {
                entries.add(new Located<>("[" + i + "]", root.get(i)));
            }
        } else if (root.isObject()) {
            entries.add(new Located<>("", root));
        } else {
            context.problems().add("top level", YamlMapping.describe(root), "a prewarm rule or a list of them");
        }
        Set<String> fileNames = new HashSet<>(taken);
        List<PrewarmRule> rules = new ArrayList<>();
        for (Located<JsonNode> entry : entries) {
            PrewarmReader.read(entry, context, names, fileNames).ifPresent(rules::add);
        }
        if (!context.problems().isEmpty()) {
            return new FileRules(
                    file,
                    List.of(),
                    context.problems().list().stream()
                            .map(p -> shown + ": " + p)
                            .toList());
        }
        rules.forEach(rule -> taken.add(rule.name()));
        return new FileRules(file, rules, List.of());
    }

    private static FileRules failed(Path file, String problem) {
        return new FileRules(file, List.of(), List.of(problem));
    }

    private static List<Path> list(Path dir) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*.yaml")) {
            for (Path file : stream) {
                if (!file.getFileName().toString().startsWith(".") && Files.isRegularFile(file)) {
                    files.add(file);
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        files.sort(null);
        return files;
    }
}
