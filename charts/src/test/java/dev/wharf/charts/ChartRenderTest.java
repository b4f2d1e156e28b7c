package dev.wharf.charts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.config.ConfigLoader;
import dev.wharf.config.UpstreamConfig;
import dev.wharf.config.WharfConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What {@code helm template} renders for each fixture, asserted on the parsed objects. */
class ChartRenderTest {
    private static final Set<String> OPTIONAL =
            Set.of("PodDisruptionBudget", "NetworkPolicy", "ServiceMonitor", "Ingress", "DaemonSet");

    @TempDir
    Path root;

    @Test
    void defaultsAreDiskModeWithOneReplicaAndNoOptionalObjects() {
        Rendered out = Chart.template(Chart.fixture("defaults"));

        assertEquals(Set.of("ConfigMap", "Service", "StatefulSet"), out.kinds());
        JsonNode sts = out.one("StatefulSet", "wharf");
        assertEquals(1, sts.path("spec").path("replicas").asInt());
        assertEquals("wharf-headless", sts.path("spec").path("serviceName").asText());
        JsonNode claim = sts.path("spec").path("volumeClaimTemplates").get(0);
        assertEquals("data", claim.path("metadata").path("name").asText());
        assertEquals(
                "20Gi",
                claim.path("spec")
                        .path("resources")
                        .path("requests")
                        .path("storage")
                        .asText());
        assertTrue(claim.path("spec").path("storageClassName").isMissingNode(), "the cluster's default class");
        JsonNode service = out.one("Service", "wharf");
        assertEquals("ClusterIP", service.path("spec").path("type").asText());
        assertEquals(
                Map.of("http", 5000, "admin", 5001), ports(service.path("spec").path("ports"), "port"));
    }

    @Test
    void diskWithAVolumeClaimsItsSizeAndClass() {
        JsonNode claim = Chart.template(Chart.fixture("disk-volume"))
                .one("StatefulSet", "wharf")
                .path("spec")
                .path("volumeClaimTemplates")
                .get(0)
                .path("spec");

        assertEquals(
                "200Gi",
                claim.path("resources").path("requests").path("storage").asText());
        assertEquals("fast-ssd", claim.path("storageClassName").asText());
    }

    @Test
    void s3IsADeploymentOfReplicasWithALocalEmptyDirAndABudget() {
        Rendered out = Chart.template(Chart.fixture("s3-replicas"));

        assertTrue(out.all("StatefulSet").isEmpty());
        JsonNode deployment = out.one("Deployment", "wharf");
        assertEquals(3, deployment.path("spec").path("replicas").asInt());
        JsonNode data = volume(out.wharfPod().path("spec"), "data");
        assertEquals("10Gi", data.path("emptyDir").path("sizeLimit").asText());
        assertEquals(
                1,
                out.one("PodDisruptionBudget", "wharf")
                        .path("spec")
                        .path("maxUnavailable")
                        .asInt());
        assertEquals(
                "/metrics",
                out.one("ServiceMonitor", "wharf")
                        .path("spec")
                        .path("endpoints")
                        .get(0)
                        .path("path")
                        .asText());
        assertEquals(
                "admin",
                out.one("ServiceMonitor", "wharf")
                        .path("spec")
                        .path("endpoints")
                        .get(0)
                        .path("port")
                        .asText());
    }

    @Test
    void networkPolicyAllowsTheRegistryPortFromAnywhereMetricsFromMonitoringAndEgressToDnsAndUpstreams() {
        JsonNode policy = Chart.template(Chart.fixture("s3-replicas"))
                .one("NetworkPolicy", "wharf")
                .path("spec");

        JsonNode registry = policy.path("ingress").get(0);
        assertEquals(5000, registry.path("ports").get(0).path("port").asInt());
        assertTrue(registry.path("from").isMissingNode(), "5000 is open to every source");
        JsonNode metrics = policy.path("ingress").get(1);
        assertEquals(5001, metrics.path("ports").get(0).path("port").asInt());
        assertEquals(
                "monitoring",
                metrics.path("from")
                        .get(0)
                        .path("namespaceSelector")
                        .path("matchLabels")
                        .path("kubernetes.io/metadata.name")
                        .asText());
        JsonNode egress = policy.path("egress");
        assertEquals(53, egress.get(0).path("ports").get(0).path("port").asInt());
        assertEquals(
                "169.254.169.254/32",
                egress.get(1)
                        .path("to")
                        .get(0)
                        .path("ipBlock")
                        .path("except")
                        .get(0)
                        .asText());
        assertEquals(443, egress.get(1).path("ports").get(0).path("port").asInt());
        assertEquals(
                "10.20.0.0/16",
                egress.get(2).path("to").get(0).path("ipBlock").path("cidr").asText());
        assertEquals(9000, egress.get(2).path("ports").get(0).path("port").asInt());
    }

    @ParameterizedTest
    @ValueSource(strings = {"defaults", "disk-volume", "s3-replicas", "prewarm", "node-mirror", "secrets-tls"})
    void optionalObjectsAppearOnlyWhenEnabled(String fixture) throws IOException {
        JsonNode values = Chart.YAML.readTree(Chart.fixture(fixture).toFile());
        Rendered out = Chart.template(Chart.fixture(fixture));

        boolean s3 = values.path("config").path("storage").has("s3");
        assertEquals(s3, out.kinds().contains("Deployment"), "Deployment");
        assertEquals(!s3, out.kinds().contains("StatefulSet"), "StatefulSet");
        Map<String, Boolean> expected = Map.of(
                "PodDisruptionBudget", s3,
                "NetworkPolicy", values.path("networkPolicy").path("enabled").asBoolean(),
                "ServiceMonitor", values.path("serviceMonitor").path("enabled").asBoolean(),
                "Ingress", values.path("ingress").path("enabled").asBoolean(),
                "DaemonSet", values.path("nodeMirror").path("enabled").asBoolean());
        for (String kind : OPTIONAL) {
            assertEquals(expected.get(kind), out.kinds().contains(kind), kind);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"defaults", "s3-replicas", "secrets-tls"})
    void podRunsAsNonRootReadOnlyWithoutCapabilities(String fixture) {
        JsonNode spec = Chart.template(Chart.fixture(fixture)).wharfPod().path("spec");

        JsonNode pod = spec.path("securityContext");
        assertTrue(pod.path("runAsNonRoot").asBoolean());
        assertEquals(10001, pod.path("runAsUser").asInt());
        assertEquals(10001, pod.path("runAsGroup").asInt());
        assertEquals(10001, pod.path("fsGroup").asInt());
        assertEquals("RuntimeDefault", pod.path("seccompProfile").path("type").asText());
        assertFalse(spec.path("automountServiceAccountToken").asBoolean(true));
        JsonNode container = wharf(spec);
        JsonNode security = container.path("securityContext");
        assertTrue(security.path("readOnlyRootFilesystem").asBoolean());
        assertFalse(security.path("allowPrivilegeEscalation").asBoolean(true));
        assertEquals("ALL", security.path("capabilities").path("drop").get(0).asText());
        assertEquals(
                "RuntimeDefault", security.path("seccompProfile").path("type").asText());
        assertTrue(volume(spec, "tmp").has("emptyDir"));
        assertEquals("/tmp", mount(container, "tmp").path("mountPath").asText());
        assertEquals(
                "/var/lib/wharf", mount(container, "data").path("mountPath").asText());
        assertEquals(
                "/etc/wharf/wharf.yaml",
                mount(container, "config").path("mountPath").asText());
        assertEquals(
                List.of("serve", "--config", "/etc/wharf/wharf.yaml"),
                StreamSupport.stream(container.path("args").spliterator(), false)
                        .map(JsonNode::asText)
                        .toList());
        assertEquals("-Xmx256m -XX:+ExitOnOutOfMemoryError", env(container, "WHARF_JAVA_OPTS"));
        assertTrue(container.path("resources").path("limits").has("memory"));
        assertTrue(container.path("resources").path("requests").has("cpu"));
    }

    @Test
    void probesAskHealthzOnTheAdminPort5001() {
        JsonNode container =
                wharf(Chart.template(Chart.fixture("defaults")).wharfPod().path("spec"));
        Map<String, Integer> ports = ports(container.path("ports"), "containerPort");

        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            JsonNode get = container.path(probe).path("httpGet");
            assertEquals("/healthz", get.path("path").asText(), probe);
            assertEquals(5001, ports.get(get.path("port").asText()), probe);
        }
        assertEquals(5000, ports.get("http"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"defaults", "disk-volume", "s3-replicas", "prewarm", "node-mirror", "secrets-tls"})
    void renderedConfigPassesWharfsOwnLoader(String fixture) throws IOException {
        WharfConfig config = load(Chart.template(Chart.fixture(fixture)));

        assertEquals("0.0.0.0:5000", config.listen().toString());
        assertEquals("0.0.0.0:5001", config.adminListen().toString());
        assertEquals(Path.of("/var/lib/wharf"), config.storage().path());
        assertEquals(fixture.equals("s3-replicas"), config.storage().s3().isPresent());
    }

    @Test
    void readmeValuesExampleRendersAConfigWharfAccepts() throws IOException {
        String readme = Files.readString(Path.of("../README.md"));
        int start = readme.indexOf("# my-values.yaml\n");
        assertTrue(start > 0, "the README's Helm values example");
        Path values = Files.writeString(
                root.resolve("my-values.yaml"), readme.substring(start, readme.indexOf("```", start)));

        Rendered out = Chart.template(values);
        WharfConfig config = load(out);

        assertEquals(
                List.of("docker.io", "ghcr.io", "registry.internal"),
                config.upstreams().subList(0, 3).stream()
                        .map(UpstreamConfig::name)
                        .toList(),
                "the configured upstreams, then the public ones they do not replace");
        assertEquals(1, config.prewarm().size());
        assertEquals(
                "200Gi",
                out.one("StatefulSet", "wharf")
                        .path("spec")
                        .path("volumeClaimTemplates")
                        .get(0)
                        .path("spec")
                        .path("resources")
                        .path("requests")
                        .path("storage")
                        .asText());
    }

    /**
     * The rendered wharf.yaml through Wharf's config loader. The files it names come from mounted Secrets: made here
     * under a stand-in root.
     */
    private WharfConfig load(Rendered out) throws IOException {
        Path secrets = Files.createDirectories(root.resolve("etc/wharf/secrets"));
        for (String file : List.of("ghcr/password", "s3/secret-access-key", "tls/ca.crt", "tls/tls.crt")) {
            write(secrets.resolve(file), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
        }
        write(secrets.resolve("tls/tls.key"), "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n");
        write(secrets.resolve("hub/config.json"), "{\"auths\":{}}");
        String yaml = out.wharfYaml().replace("/etc/wharf/secrets/", secrets + "/");
        Map<String, String> env = Map.of("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE", "INTERNAL_TOKEN", "t0ken");
        return ConfigLoader.parse(yaml, env, root);
    }

    @Test
    void prewarmRulesReachTheConfigAsWritten() throws IOException {
        JsonNode config =
                Chart.YAML.readTree(Chart.template(Chart.fixture("prewarm")).wharfYaml());

        JsonNode nginx = config.path("prewarm").get(0);
        assertEquals("~1.27", nginx.path("tags").path("semver").asText());
        assertEquals(3, nginx.path("tags").path("newest").asInt());
        assertEquals("1.10", config.path("prewarm").get(1).path("tags").get(0).asText());
        assertEquals(
                2,
                ConfigLoader.parse(Chart.template(Chart.fixture("prewarm")).wharfYaml(), Map.of(), root)
                        .prewarm()
                        .size());
    }

    @Test
    void prewarmRuleConfigMapsAreMountedAsTheConfigsPrewarmDir() throws IOException {
        Rendered out = Chart.template(Chart.fixture("prewarm-rule-configmaps"));
        JsonNode spec = out.wharfPod().path("spec");

        JsonNode sources = volume(spec, "prewarm-rules").path("projected").path("sources");
        assertEquals(2, sources.size());
        assertEquals(
                "team-a-prewarm", sources.get(0).path("configMap").path("name").asText());
        assertEquals(
                "team-b-prewarm", sources.get(1).path("configMap").path("name").asText());
        assertTrue(sources.get(1).path("configMap").path("optional").asBoolean(), "a team's ConfigMap may come later");
        JsonNode mount = mount(wharf(spec), "prewarm-rules");
        assertEquals("/etc/wharf/prewarm.d", mount.path("mountPath").asText());
        assertTrue(mount.path("subPath").isMissingNode(), "a subPath mount would not follow ConfigMap changes");
        String yaml = out.wharfYaml();
        assertEquals(
                "/etc/wharf/prewarm.d",
                Chart.YAML.readTree(yaml).path("prewarmDir").asText());
        Path prewarmDir = Files.createDirectories(root.resolve("etc/wharf/prewarm.d"));
        assertEquals(
                prewarmDir,
                ConfigLoader.parse(yaml.replace("/etc/wharf/prewarm.d", prewarmDir.toString()), Map.of(), root)
                        .prewarmDir()
                        .orElseThrow());
    }

    @Test
    void aConfigChangeChangesThePodTemplatesChecksum() {
        String before = checksum(Chart.template(Chart.fixture("defaults")));
        String after = checksum(Chart.template(Chart.fixture("disk-volume")));

        assertEquals(64, before.length());
        assertNotEquals(before, after);
    }

    @Test
    void secretsAreMountedFromSecretsAndNoSecretValueIsRendered() {
        Rendered out = Chart.template(Chart.fixture("secrets-tls"));
        JsonNode spec = out.wharfPod().path("spec");

        assertTrue(out.all("Secret").isEmpty(), "the chart makes no Secret");
        assertEquals(
                "ghcr-credentials",
                volume(spec, "secret-ghcr-credentials")
                        .path("secret")
                        .path("secretName")
                        .asText());
        JsonNode hub = volume(spec, "secret-hub-pull-secret").path("secret");
        assertEquals("config.json", hub.path("items").get(0).path("path").asText());
        JsonNode mount = mount(wharf(spec), "secret-internal-tls");
        assertEquals("/etc/wharf/secrets/tls", mount.path("mountPath").asText());
        assertTrue(mount.path("readOnly").asBoolean());
        assertEquals(
                "internal-token",
                wharf(spec)
                        .path("envFrom")
                        .get(0)
                        .path("secretRef")
                        .path("name")
                        .asText());
        assertTrue(out.wharfYaml().contains("token: ${INTERNAL_TOKEN}"), "substituted in the pod, not here");
        for (String secret : List.of("t0ken", "AKIAEXAMPLE", "BEGIN PRIVATE KEY")) {
            assertFalse(out.text().contains(secret), secret);
        }
        JsonNode s3 = Chart.template(Chart.fixture("s3-replicas")).wharfPod().path("spec");
        assertEquals(
                "wharf-s3",
                env(wharf(s3), "AWS_ACCESS_KEY_ID", "valueFrom")
                        .path("secretKeyRef")
                        .path("name")
                        .asText());
    }

    @Test
    void ingressRoutesV2ToTheRegistryPort() {
        JsonNode ingress = Chart.template(Chart.fixture("secrets-tls"))
                .one("Ingress", "wharf")
                .path("spec");

        assertEquals("nginx", ingress.path("ingressClassName").asText());
        JsonNode path = ingress.path("rules").get(0).path("http").path("paths").get(0);
        assertEquals("/v2/", path.path("path").asText());
        assertEquals(
                "http",
                path.path("backend").path("service").path("port").path("name").asText());
        assertEquals("wharf-tls", ingress.path("tls").get(0).path("secretName").asText());
    }

    private static String checksum(Rendered out) {
        return out.wharfPod()
                .path("metadata")
                .path("annotations")
                .path("checksum/config")
                .asText();
    }

    static JsonNode wharf(JsonNode podSpec) {
        return named(podSpec.path("containers"), "wharf");
    }

    static JsonNode volume(JsonNode podSpec, String name) {
        return named(podSpec.path("volumes"), name);
    }

    static JsonNode mount(JsonNode container, String name) {
        return named(container.path("volumeMounts"), name);
    }

    static String env(JsonNode container, String name) {
        return env(container, name, "value").asText();
    }

    private static JsonNode env(JsonNode container, String name, String field) {
        return named(container.path("env"), name).path(field);
    }

    static JsonNode named(JsonNode list, String name) {
        List<String> names = new ArrayList<>();
        for (JsonNode item : list) {
            if (item.path("name").asText().equals(name)) {
                return item;
            }
            names.add(item.path("name").asText());
        }
        throw new AssertionError("no " + name + " among " + names);
    }

    private static Map<String, Integer> ports(JsonNode ports, String field) {
        Map<String, Integer> byName = new HashMap<>();
        ports.forEach(p -> byName.put(p.path("name").asText(), p.path(field).asInt()));
        return byName;
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}
