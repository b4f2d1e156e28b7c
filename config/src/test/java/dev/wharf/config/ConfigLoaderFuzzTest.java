package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Configuration files as anyone may write them (the corpus under {@code ConfigLoaderFuzzTestInputs}: the README's
 * examples, the deployment's file, and broken variants), loaded as {@code wharf serve} and {@code wharf config check}
 * load them.
 */
class ConfigLoaderFuzzTest {
    private static final String ENV_SECRET = "from-env-Xq7Zr2";
    private static final Map<String, String> ENV = Map.of("PW", ENV_SECRET, "REGISTRY_HOST", "registry.example.com");
    private static final Pattern SYNTAX = Pattern.compile("line \\d+, column \\d+: .*", Pattern.DOTALL);
    /** The settings read as secrets: never echoed in a problem. */
    private static final Set<String> SECRET_KEYS = Set.of("password", "token", "secretAccessKey");

    /**
     * YAML text gives a configuration or a {@link ConfigException}, never another exception. Each problem starts with
     * where it is: a YAML path rooted at a setting or at a key of the file, the top level, or a line and column for a
     * syntax error. A password substituted from the environment never shows in a problem unless the file also put
     * that variable (or its value) in a setting that is not a secret, whose value a problem may show. A configuration
     * that loads has its default upstream and every prewarm rule's upstream among its upstreams, and distinct
     * listeners.
     */
    @FuzzTest
    void loadsOrReportsEveryProblemWithItsPath(byte[] input) {
        String yaml = new String(input, StandardCharsets.UTF_8);
        WharfConfig config;
        try {
            config = ConfigLoader.parse(yaml, ENV, Path.of("/nonexistent-base"));
        } catch (ConfigException e) {
            assertFalse(e.problems().isEmpty(), yaml);
            Optional<JsonNode> tree = tree(yaml);
            Set<String> roots = new HashSet<>(ConfigReader.KEYS);
            roots.add("top level");
            tree.ifPresent(root -> root.fieldNames().forEachRemaining(roots::add));
            for (String problem : e.problems()) {
                assertTrue(
                        SYNTAX.matcher(problem).matches() || hasRoot(problem, roots),
                        () -> "problem without a path: " + problem + "\nfor:\n" + yaml);
                if (problem.contains(ENV_SECRET) && !yaml.contains(ENV_SECRET)) {
                    assertTrue(
                            tree.filter(root -> usedOutsideSecrets(root, "")).isPresent(),
                            () -> "a problem shows the password: " + problem + "\nfor:\n" + yaml);
                }
            }
            return;
        } catch (RuntimeException e) {
            fail("loading threw " + e + " for:\n" + yaml, e);
            return;
        }
        Set<String> names =
                config.upstreams().stream().map(UpstreamConfig::name).collect(Collectors.toSet());
        assertTrue(names.contains(config.defaultUpstream()), yaml);
        config.prewarm().forEach(rule -> assertTrue(names.contains(rule.upstream()), yaml));
        assertNotEquals(config.listen(), config.adminListen(), yaml);
    }

    private static boolean hasRoot(String problem, Set<String> roots) {
        for (String root : roots) {
            if (problem.startsWith(root + ": ") || problem.startsWith(root + ".") || problem.startsWith(root + "[")) {
                return true;
            }
        }
        return false;
    }

    /** The YAML tree of the file; empty when it does not parse. */
    private static Optional<JsonNode> tree(String yaml) {
        try {
            return Optional.of(ConfigLoader.tree(yaml));
        } catch (ConfigException syntax) {
            return Optional.empty();
        }
    }

    /** Whether a scalar under a key other than a secret's ({@code key} for the node itself) refers to {@code PW}. */
    private static boolean usedOutsideSecrets(JsonNode node, String key) {
        if (node.isTextual()) {
            return !SECRET_KEYS.contains(key) && node.textValue().contains("${PW");
        }
        if (node.isArray()) {
            for (JsonNode element : node) {
                if (usedOutsideSecrets(element, key)) {
                    return true;
                }
            }
            return false;
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (usedOutsideSecrets(node.get(name), name)) {
                return true;
            }
        }
        return false;
    }
}
