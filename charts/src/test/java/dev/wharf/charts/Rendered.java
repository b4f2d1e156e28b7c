package dev.wharf.charts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** The objects of one {@code helm template} output, parsed. */
record Rendered(String text, List<JsonNode> objects) {
    static Rendered parse(String text) {
        List<JsonNode> objects = new ArrayList<>();
        try (MappingIterator<JsonNode> docs =
                Chart.YAML.readerFor(JsonNode.class).readValues(text)) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc != null && doc.isObject() && doc.has("kind")) {
                    objects.add(doc);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("helm template printed YAML that does not parse", e);
        }
        return new Rendered(text, List.copyOf(objects));
    }

    Set<String> kinds() {
        return objects.stream().map(o -> o.path("kind").asText()).collect(Collectors.toCollection(TreeSet::new));
    }

    List<JsonNode> all(String kind) {
        return objects.stream()
                .filter(o -> o.path("kind").asText().equals(kind))
                .toList();
    }

    /** The object of {@code kind} named {@code name}; fails when there is none. */
    JsonNode one(String kind, String name) {
        return all(kind).stream()
                .filter(o -> o.path("metadata").path("name").asText().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in " + kinds()));
    }

    /** The pod template of Wharf's workload, whichever kind it is. */
    JsonNode wharfPod() {
        List<JsonNode> workloads = new ArrayList<>(all("StatefulSet"));
        workloads.addAll(all("Deployment"));
        if (workloads.size() != 1) {
            throw new AssertionError("expected one StatefulSet or Deployment, got " + kinds());
        }
        return workloads.get(0).path("spec").path("template");
    }

    /** The wharf.yaml that the ConfigMap mounts. */
    String wharfYaml() {
        return one("ConfigMap", Chart.RELEASE).path("data").path("wharf.yaml").asText();
    }
}
