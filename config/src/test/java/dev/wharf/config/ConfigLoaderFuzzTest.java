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
    private static final Pattern SECRET_REFERENCE =
            Pattern.compile("(password|token|secretAccessKey)\\s*:\\s*[\"']?\\$\\{PW");
    private static final Set<String> TOP_LEVEL_KEYS = Set.of(
            "listen",
            "adminListen",
            "storage",
            "defaultUpstream",
            "upstreams",
            "publicUpstreams",
            "freshness",
            "maxStale",
            "recheckDeadline",
            "offline",
            "prewarm",
            "prewarmDir",
            "accessLog",
            "tlsListen",
            "tls",
            "auth",
            "access",
            "limits");

    /**
     * YAML text gives a configuration or a {@link ConfigException}, never another exception. Each problem starts with
     * where it is: a YAML path rooted at a setting or at a key of the file, the top level, or a line and column for a
     * syntax error. A password substituted from the environment never shows in a problem unless the file also put
     * that variable (or its value) in a setting that is not a secret. A configuration that loads has its default upstream and every
     * prewarm rule's upstream among its upstreams, and distinct listeners.
     */
    @FuzzTest
    void loadsOrReportsEveryProblemWithItsPath(byte[] input) {
        String yaml = new String(input, StandardCharsets.UTF_8);
        WharfConfig config;
        try {
            config = ConfigLoader.parse(yaml, ENV, Path.of("/nonexistent-base"));
        } catch (ConfigException e) {
            assertFalse(e.problems().isEmpty(), yaml);
            Set<String> roots = new HashSet<>(TOP_LEVEL_KEYS);
            roots.add("top level");
            roots.addAll(documentKeys(yaml));
            for (String problem : e.problems()) {
                assertTrue(
                        SYNTAX.matcher(problem).matches() || hasRoot(problem, roots),
                        () -> "problem without a path: " + problem + "\nfor:\n" + yaml);
                if (problem.contains(ENV_SECRET) && !yaml.contains(ENV_SECRET)) {
                    assertTrue(
                            yaml.lines()
                                    .anyMatch(line -> SECRET_REFERENCE
                                            .matcher(line)
                                            .replaceAll("")
                                            .contains("PW")),
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

    /** The keys of the file's top-level mapping, when it parses to one. */
    private static Set<String> documentKeys(String yaml) {
        JsonNode root;
        try {
            root = ConfigLoader.tree(yaml);
        } catch (ConfigException syntax) {
            return Set.of();
        }
        Set<String> keys = new HashSet<>();
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            keys.add(names.next());
        }
        return keys;
    }
}
