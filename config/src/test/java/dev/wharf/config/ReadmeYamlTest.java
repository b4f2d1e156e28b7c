package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every YAML block in README.md is a configuration a user can copy: a Wharf configuration file (or a part of one),
 * or Helm values whose {@code config} is one, and it passes Wharf's own loader, as {@code wharf config check} runs
 * it. The files an example names are made first, where it names them (absolute paths under a scratch root), with
 * content of the kind each key expects; a {@code credentialHelper} is put on the PATH and each {@code ${VAR}} set.
 * A block whose first line is a comment naming another program's file ({@code # /etc/rancher/k3s/registries.yaml})
 * is not Wharf's and is left out.
 */
class ReadmeYamlTest {
    private static final Pattern BLOCK = Pattern.compile("(?m)^( *)```yaml\\n(.*?)^\\1```$", Pattern.DOTALL);
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)");
    private static final Pattern FOREIGN = Pattern.compile("# (/\\S+|\\S+\\.(yaml|yml|toml|json|conf))\\b.*");
    private static final Set<String> SECRET_FILES = Set.of("passwordFile", "tokenFile", "secretAccessKeyFile");
    private static final ObjectMapper YAML = new YAMLMapper();

    @TempDir
    Path root;

    @TestFactory
    Stream<DynamicTest> everyYamlBlockInTheReadmePassesConfigCheck() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        List<DynamicTest> tests = new ArrayList<>();
        Matcher blocks = BLOCK.matcher(readme);
        while (blocks.find()) {
            String indent = blocks.group(1);
            String yaml = blocks.group(2).replaceAll("(?m)^" + indent, "");
            int line = readme.substring(0, blocks.start()).split("\n", -1).length;
            String first = yaml.lines().findFirst().orElse("");
            if (FOREIGN.matcher(first).matches() && !first.contains("values.yaml") && !first.contains("wharf.yaml")) {
                continue;
            }
            tests.add(DynamicTest.dynamicTest("README.md line " + line, () -> check(yaml, line)));
        }
        assertTrue(tests.size() >= 5, "README.md has fewer YAML blocks than it should: " + tests.size());
        return tests.stream();
    }

    private void check(String yaml, int line) throws IOException {
        JsonNode document = YAML.readTree(yaml);
        assertTrue(document instanceof ObjectNode, "line " + line + ": not a mapping");
        JsonNode config = document.has("config") ? document.get("config") : document;
        Path base = Files.createTempDirectory(root, "line" + line + "-");
        Map<String, String> env = new HashMap<>();
        Path bin = Files.createDirectories(base.resolve("bin"));
        env.put("PATH", bin.toString());
        Matcher variables = VARIABLE.matcher(yaml);
        while (variables.find()) {
            env.put(variables.group(1), "value-of-" + variables.group(1));
        }
        provide(config, "", base, bin);
        try {
            ConfigLoader.parse(YAML.writeValueAsString(config), env, base);
        } catch (ConfigException e) {
            fail("README.md line " + line + " fails config check:\n  " + String.join("\n  ", e.problems()));
        }
    }

    /** Makes the files {@code node} names, rewriting absolute paths into {@code base}. */
    private void provide(JsonNode node, String key, Path base, Path bin) throws IOException {
        if (node instanceof ObjectNode object) {
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                JsonNode value = object.get(name);
                if (value.isTextual() && isFileKey(name)) {
                    Path file = place(base, value.textValue());
                    object.set(name, new TextNode(file.toString()));
                    make(key, name, file);
                } else if (value.isTextual() && name.equals("credentialHelper")) {
                    Path helper = bin.resolve("docker-credential-" + value.textValue());
                    Files.writeString(helper, "#!/bin/sh\necho '{}'\n");
                    Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwxr-xr-x"));
                } else {
                    provide(value, name, base, bin);
                }
            }
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                provide(element, key, base, bin);
            }
        }
    }

    private static boolean isFileKey(String name) {
        return SECRET_FILES.contains(name)
                || name.equals("dockerConfig")
                || name.equals("certsDir")
                || name.equals("prewarmDir")
                || name.equals("caFile")
                || name.equals("clientCaFile")
                || name.equals("htpasswd")
                || name.equals("file")
                || name.equals("certFile")
                || name.equals("keyFile");
    }

    private static Path place(Path base, String path) {
        if (path.contains("${")) {
            fail("a file path built from a variable cannot be checked: " + path);
        }
        return path.startsWith("/") ? base.resolve("root" + path) : base.resolve(path);
    }

    private static void make(String parent, String name, Path file) throws IOException {
        if (name.equals("certsDir") || name.equals("prewarmDir")) {
            Files.createDirectories(file);
            return;
        }
        Files.createDirectories(file.getParent());
        String content = switch (name) {
            case "dockerConfig" -> "{\"auths\":{}}";
            case "caFile", "clientCaFile", "certFile" -> "-----BEGIN CERTIFICATE-----\n";
            case "htpasswd" -> "alice:$2y$05$abcdefghijklmnopqrstuu\n";
            case "keyFile" ->
                parent.equals("gcp")
                        ? "{\"type\":\"service_account\",\"client_email\":\"wharf@example.iam.gserviceaccount.com\"}"
                        : "-----BEGIN PRIVATE KEY-----\n";
            default -> "secret\n";
        };
        Files.writeString(file, content);
    }
}
