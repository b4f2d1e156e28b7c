package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.proxy.lab.FreePort;
import dev.wharf.proxy.lab.RunningWharf;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Grafana dashboard shipped in {@code deploy/grafana/wharf.json} queries only metrics a running Wharf exports. */
class GrafanaDashboardIT {
    private static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "wharf.json");
    private static final Pattern METRIC = Pattern.compile("\\bwharf_[a-z_]+");

    @Test
    void everyQueryUsesOnlyExportedMetricNames(@TempDir Path data) throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        Set<String> used = new TreeSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                Matcher m = METRIC.matcher(target.path("expr").asText());
                while (m.find()) {
                    used.add(m.group());
                }
            }
        }
        assertTrue(used.size() >= 10, "the dashboard queries Wharf's metrics: " + used);

        String yaml = "defaultUpstream: a.test\nupstreams:\n  - {name: a.test, url: \"http://127.0.0.1:"
                + FreePort.find() + "\"}\n";
        Set<String> exported = new TreeSet<>();
        try (RunningWharf wharf = RunningWharf.start(yaml, data)) {
            String scrape = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(wharf.adminUrl().resolve("/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            for (String line : scrape.split("\n")) {
                Matcher m = METRIC.matcher(line);
                if (!line.startsWith("#") && m.lookingAt()) {
                    exported.add(m.group());
                }
            }
        }
        Set<String> unknown = new TreeSet<>(used);
        unknown.removeAll(exported);
        assertEquals(Set.of(), unknown, "queried but not exported; exported: " + exported);
    }
}
