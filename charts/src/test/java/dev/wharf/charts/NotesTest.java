package dev.wharf.charts;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.Helm;
import org.junit.jupiter.api.Test;

/** What {@code helm install} prints: where Wharf is and the node configuration that points at it. */
class NotesTest {
    @Test
    void notesPrintContainerdK3sAndDockerConfigurationForTheEndpoint() {
        String out = new Helm(Chart.DIR)
                .install()
                .clientOnly()
                .dryRun()
                .withName(Chart.RELEASE)
                .withNamespace(Chart.NAMESPACE)
                .withValuesFile(Chart.fixture("node-mirror"))
                .call()
                .getOutput();

        assertTrue(out.contains("NOTES:"), out);
        for (String expected : new String[] {
            "config_path = \"/etc/containerd/certs.d\"",
            "[host.\"http://wharf.example:5000\"]",
            "registries.yaml",
            "endpoint: [\"http://wharf.example:5000\"]",
            "\"registry-mirrors\": [\"http://wharf.example:5000\"]",
            "\"insecure-registries\": [\"wharf.example:5000\"]",
            "outside cluster DNS",
            "writes hosts.toml files for docker.io, ghcr.io, _default",
        }) {
            assertTrue(out.contains(expected), expected + " in\n" + out);
        }
    }
}
