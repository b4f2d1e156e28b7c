package dev.wharf.charts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The chart in {@code wharf/} of this module, run through Helm (helm-java's bundled Helm 3, no binary): lint of a copy
 * whose values.yaml is the chart's own merged with a fixture's, and template with a fixture as a values file.
 */
final class Chart {
    static final Path DIR = Path.of("wharf").toAbsolutePath();
    static final String RELEASE = "wharf";
    static final String NAMESPACE = "registry";
    static final YAMLMapper YAML = new YAMLMapper();

    private Chart() {}

    /** A fixture of src/test/resources/values, by file name without .yaml. */
    static Path fixture(String name) {
        Path file = Path.of("src/test/resources/values", name + ".yaml").toAbsolutePath();
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no fixture " + file);
        }
        return file;
    }

    /** {@code helm template} with the chart's values and {@code values}, failing as Helm fails (schema included). */
    static Rendered template(Path values) {
        String out = new Helm(DIR)
                .template()
                .withName(RELEASE)
                .withNamespace(NAMESPACE)
                .withValuesFile(values)
                .call();
        return Rendered.parse(out);
    }

    /** {@code helm lint --strict} of a copy of the chart whose values.yaml merges {@code values} into the chart's own. */
    static LintResult lintStrict(Path values, Path workDir) throws IOException {
        Path copy = workDir.resolve("wharf");
        copyTree(DIR, copy);
        JsonNode merged = merge(YAML.readTree(DIR.resolve("values.yaml").toFile()), YAML.readTree(values.toFile()));
        YAML.writeValue(copy.resolve("values.yaml").toFile(), merged);
        return new Helm(copy).lint().strict().call();
    }

    private static JsonNode merge(JsonNode base, JsonNode override) {
        if (!(base instanceof ObjectNode target) || override == null || !override.isObject()) {
            return override == null ? base : override;
        }
        for (Map.Entry<String, JsonNode> field : override.properties()) {
            JsonNode existing = target.get(field.getKey());
            target.set(field.getKey(), existing == null ? field.getValue() : merge(existing, field.getValue()));
        }
        return target;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            paths.forEach(path -> {
                Path target = to.resolve(from.relativize(path).toString());
                try {
                    if (Files.isDirectory(path)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(path, target);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
