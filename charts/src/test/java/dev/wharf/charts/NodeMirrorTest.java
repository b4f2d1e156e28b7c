package dev.wharf.charts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node mirror DaemonSet: how it runs, and the hosts.toml files its script (taken from the rendered ConfigMap and
 * run with sh against a temp directory, with the DaemonSet's own environment) writes and removes.
 */
class NodeMirrorTest {
    private static final Path README = Path.of("../README.md");
    private static final Pattern TOML_BLOCK =
            Pattern.compile("```toml\\n# /etc/containerd/certs\\.d/([^/]+)/hosts\\.toml\\n(.*?)```", Pattern.DOTALL);

    @TempDir
    Path hostsDir;

    @Test
    void daemonSetRunsAsRootWithOnlyTheHostPathItNeeds() {
        Rendered out = Chart.template(Chart.fixture("node-mirror"));
        JsonNode spec = out.one("DaemonSet", "wharf-node-mirror")
                .path("spec")
                .path("template")
                .path("spec");
        JsonNode container = ChartRenderTest.named(spec.path("containers"), "node-mirror");

        JsonNode security = container.path("securityContext");
        assertEquals(0, security.path("runAsUser").asInt());
        assertTrue(security.path("readOnlyRootFilesystem").asBoolean());
        assertFalse(security.path("allowPrivilegeEscalation").asBoolean(true));
        assertEquals("ALL", security.path("capabilities").path("drop").get(0).asText());
        assertFalse(security.has("privileged"));
        List<String> hostPaths = new ArrayList<>();
        spec.path("volumes").forEach(v -> {
            if (v.has("hostPath")) {
                hostPaths.add(v.path("hostPath").path("path").asText());
            }
        });
        assertEquals(List.of("/etc/containerd/certs.d"), hostPaths);
        assertEquals(
                "remove",
                container
                        .path("lifecycle")
                        .path("preStop")
                        .path("exec")
                        .path("command")
                        .get(2)
                        .asText());
        assertEquals("http://wharf.example:5000", ChartRenderTest.env(container, "ENDPOINT"));
        assertEquals("docker.io ghcr.io _default", ChartRenderTest.env(container, "REGISTRIES"));
    }

    @Test
    void defaultEndpointIsTheServicesClusterName() {
        JsonNode container = ChartRenderTest.named(
                Chart.template(Chart.fixture("defaults-node-mirror"))
                        .one("DaemonSet", "wharf-node-mirror")
                        .path("spec")
                        .path("template")
                        .path("spec")
                        .path("containers"),
                "node-mirror");

        assertEquals("http://wharf.registry.svc.cluster.local:5000", ChartRenderTest.env(container, "ENDPOINT"));
    }

    @Test
    void writesTheHostsTomlTheReadmeDocumentsAndRemovesThem() throws Exception {
        Map<String, String> documented = readmeHostsToml();
        assertEquals(List.of("docker.io", "_default", "ghcr.io"), List.copyOf(documented.keySet()));

        run("write");

        for (Map.Entry<String, String> entry : documented.entrySet()) {
            Path file = hostsDir.resolve(entry.getKey()).resolve("hosts.toml");
            String written = Files.readString(file);
            assertTrue(written.startsWith("# Written by the Wharf node mirror of release registry/wharf"), written);
            assertTrue(written.contains("  dial_timeout = \"2s\"\n"), written);
            assertEquals(entry.getValue(), withoutCommentsAndDialTimeout(written), entry.getKey());
        }

        Files.createDirectories(hostsDir.resolve("quay.io"));
        Files.writeString(hostsDir.resolve("quay.io/hosts.toml"), "server = \"https://quay.io\"\n");
        run("remove");

        try (var left = Files.list(hostsDir)) {
            assertEquals(
                    List.of("quay.io"),
                    left.map(p -> p.getFileName().toString()).toList(),
                    "only ours removed");
        }
    }

    @Test
    void leavesAHostsTomlItDidNotWriteAlone() throws Exception {
        Path mine = Files.createDirectories(hostsDir.resolve("docker.io")).resolve("hosts.toml");
        Files.writeString(mine, "server = \"https://mirror.example\"\n");

        run("write");
        run("remove");

        assertEquals("server = \"https://mirror.example\"\n", Files.readString(mine));
    }

    /** The README's hosts.toml examples, by registry, with wharf.example:5000 as Wharf. */
    /** The hosts.toml files of the README's containerd section (other sections show other setups). */
    private static Map<String, String> readmeHostsToml() throws IOException {
        String readme = Files.readString(README);
        int section = readme.indexOf("### containerd (1.6+, 2.x), k3s, RKE2");
        int next = readme.indexOf("\n### ", section + 1);
        Matcher m = TOML_BLOCK.matcher(readme.substring(section, next < 0 ? readme.length() : next));
        Map<String, String> blocks = new LinkedHashMap<>();
        while (m.find()) {
            blocks.put(m.group(1), m.group(2));
        }
        return blocks;
    }

    private static String withoutCommentsAndDialTimeout(String toml) {
        return toml.lines()
                .filter(line -> !line.startsWith("#") && !line.startsWith("  dial_timeout = "))
                .map(line -> line + "\n")
                .collect(Collectors.joining());
    }

    /** Runs the rendered ConfigMap's script with the rendered DaemonSet's environment, HOSTS_DIR redirected. */
    private void run(String mode) throws Exception {
        Rendered out = Chart.template(Chart.fixture("node-mirror"));
        String script = out.one("ConfigMap", "wharf-node-mirror")
                .path("data")
                .path("node-mirror.sh")
                .asText();
        Path file = Files.writeString(hostsDir.resolveSibling(hostsDir.getFileName() + ".sh"), script);
        ProcessBuilder builder = new ProcessBuilder("sh", file.toString(), mode).redirectErrorStream(true);
        JsonNode container = ChartRenderTest.named(
                out.one("DaemonSet", "wharf-node-mirror")
                        .path("spec")
                        .path("template")
                        .path("spec")
                        .path("containers"),
                "node-mirror");
        container
                .path("env")
                .forEach(e -> builder.environment()
                        .put(e.path("name").asText(), e.path("value").asText()));
        builder.environment().put("HOSTS_DIR", hostsDir.toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the script finishes");
        assertEquals(0, process.exitValue(), output);
    }
}
