package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.proxy.lab.AccessLogEntry;
import dev.wharf.proxy.lab.Containerd;
import dev.wharf.proxy.lab.FaultyUpstream;
import dev.wharf.proxy.lab.ImageFormat;
import dev.wharf.proxy.lab.ImageSeeder;
import dev.wharf.proxy.lab.RegistryProcess;
import dev.wharf.proxy.lab.RunningWharf;
import dev.wharf.proxy.lab.SeededImage;
import dev.wharf.proxy.lab.SeededIndex;
import dev.wharf.proxy.lab.Skopeo;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code wharf prewarm plan} and {@code run} against the real distribution registry, counting what reaches it in its
 * access log; then real clients pull the prewarmed images from Wharf with the registry stopped.
 */
class PrewarmIT {
    private static final String UPSTREAM = "up.test";
    private static final String REPO = "team/app";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> SINGLE_TAGS = List.of("1.0.0", "1.1.0", "1.2.0", "2.0.0", "latest", "nightly");

    private record Cli(int exit, String out, String err) {
        List<JsonNode> lines() {
            return out.lines().map(PrewarmIT::json).toList();
        }
    }

    @Test
    void planListsExactlyWhatRunFetchesAndClientsPullItWithTheUpstreamStopped(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            ImageSeeder seeder = ImageSeeder.of(registry);
            Map<String, SeededImage> singles = new LinkedHashMap<>();
            for (String tag : SINGLE_TAGS) {
                singles.put(tag, seeder.seedImage(REPO, List.of(tag), ImageFormat.OCI, "amd64", 2, tag));
            }
            List<String> arches = List.of("amd64", "arm64", "ppc64le");
            SeededIndex v121 = seeder.seedIndex(REPO, List.of("1.2.1"), ImageFormat.OCI, arches, "1.2.1");
            SeededIndex rc = seeder.seedIndex(REPO, List.of("1.3.0-rc1"), ImageFormat.DOCKER, arches, "rc1");
            String body = "defaultUpstream: " + UPSTREAM + "\nupstreams:\n  - name: " + UPSTREAM + "\n    url: "
                    + registry.url() + "\n"
                    + "prewarm:\n"
                    + "  - name: app-1.x\n    upstream: " + UPSTREAM + "\n    repository: " + REPO + "\n"
                    + "    tags: {semver: '~1.2 || 1.3.x', prerelease: true, newest: 2}\n"
                    + "    platforms: [linux/amd64, linux/arm64]\n    every: 6h\n"
                    + "  - name: app-pinned\n    upstream: " + UPSTREAM + "\n    repository: " + REPO + "\n"
                    + "    tags: ['1.0.0']\n    once: true\n";
            Path config = dir.resolve("wharf.yaml");
            Files.writeString(config, "storage: {path: " + data + "}\n" + body);
            registry.clearRequests();

            Cli plan = cli("prewarm", "plan", "--config", config.toString(), "--json");

            assertEquals(0, plan.exit(), plan::err);
            Map<String, JsonNode> planned = byTag(plan.lines());
            assertEquals(Set.of("1.3.0-rc1", "1.2.1", "1.0.0"), planned.keySet(), plan::out);
            assertEquals(
                    rc.index().manifestDigest(),
                    planned.get("1.3.0-rc1").path("digest").asText());
            assertEquals(
                    v121.index().manifestDigest(),
                    planned.get("1.2.1").path("digest").asText());
            assertEquals(
                    singles.get("1.0.0").manifestDigest(),
                    planned.get("1.0.0").path("digest").asText());
            assertEquals(
                    "[\"linux/amd64\",\"linux/arm64/v8\"]",
                    planned.get("1.2.1").path("platforms").toString());
            Set<String> expectedBlobs = new HashSet<>();
            for (SeededIndex index : List.of(v121, rc)) {
                expectedBlobs.addAll(index.platforms().get(0).blobDigests());
                expectedBlobs.addAll(index.platforms().get(1).blobDigests());
            }
            expectedBlobs.addAll(singles.get("1.0.0").blobDigests());
            Set<String> plannedBlobs = missingBlobs(planned.values());
            assertEquals(expectedBlobs, plannedBlobs);
            List<AccessLogEntry> planRequests = registry.requestsSettled();
            assertEquals(List.of(), requested(planRequests, "/blobs/"), "plan fetched a blob");
            Set<String> allowedManifests = new HashSet<>(Set.of("1.3.0-rc1", "1.2.1", "1.0.0"));
            for (SeededIndex index : List.of(v121, rc)) {
                allowedManifests.add(index.platforms().get(0).manifestDigest());
                allowedManifests.add(index.platforms().get(1).manifestDigest());
            }
            for (String reference : requested(planRequests, "/manifests/")) {
                assertTrue(allowedManifests.contains(reference), () -> "plan asked for manifest " + reference);
            }
            long plannedBytes = planned.values().stream()
                    .mapToLong(l -> l.path("missingBytes").asLong())
                    .sum();
            registry.clearRequests();

            Cli run = cli("prewarm", "run", "--config", config.toString(), "--json");

            assertEquals(0, run.exit(), run::err);
            List<AccessLogEntry> runRequests = registry.requestsSettled();
            List<String> fetched = requested(runRequests, "/blobs/");
            assertEquals(plannedBlobs, new HashSet<>(fetched), "run fetched other blobs than planned");
            assertEquals(plannedBlobs.size(), fetched.size(), () -> "a blob fetched twice: " + fetched);
            assertEquals(plannedBytes, summed(run.lines(), "bytesFetched"));
            for (String reference : requested(runRequests, "/manifests/")) {
                assertTrue(allowedManifests.contains(reference), () -> "run asked for manifest " + reference);
            }
            registry.clearRequests();

            Cli again = cli("prewarm", "run", "--config", config.toString(), "--json");

            assertEquals(0, again.exit(), again::err);
            assertEquals(List.of(), requested(registry.requestsSettled(), "/blobs/"), "second run fetched blobs");
            assertEquals(0, summed(again.lines(), "bytesFetched"));
            assertEquals(plannedBytes, summed(again.lines(), "bytesCached"));
            assertTrue(Files.readString(data.resolve("prewarm-pins.json"))
                    .contains(v121.index().manifestDigest()));

            Cli verbose = cli("prewarm", "plan", "--config", config.toString(), "--rule", "app-1.x", "--verbose");
            assertEquals(0, verbose.exit(), verbose::err);
            assertTrue(verbose.out().contains("app-1.x  1.2.0  skipped: older than the newest 2"), verbose::out);
            assertTrue(verbose.out().contains("app-1.x  2.0.0  skipped: outside the semver range"), verbose::out);
            assertTrue(verbose.out().contains("app-1.x  latest  skipped: not a version"), verbose::out);
            assertTrue(verbose.out().contains(", 0 B to fetch"), verbose::out);

            registry.stop();
            try (RunningWharf wharf = RunningWharf.start(body, data)) {
                Cli locked = cli("prewarm", "run", "--config", config.toString(), "--rule", "app-1.x");
                assertEquals(1, locked.exit());
                assertTrue(
                        locked.err().contains("in use by another Wharf process")
                                && locked.err().contains("/prewarm/app-1.x/run"),
                        locked::err);
                pullWithSkopeo(wharf, dir.resolve("skopeo"));
                pullWithContainerd(wharf, dir.resolve("hosts"), List.of(v121, rc));
            }
        }
    }

    @Test
    void serveRunsRulesWhenDueAndOnRequestAndReportsThemOnTheAdminListener(@TempDir Path dir) throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            SeededImage image =
                    ImageSeeder.of(registry).seedImage(REPO, List.of("1.0.0", "1.1.0"), ImageFormat.OCI, "amd64", 2);
            String body = "defaultUpstream: " + UPSTREAM + "\nupstreams:\n  - name: " + UPSTREAM + "\n    url: "
                    + registry.url() + "\n"
                    + "prewarm:\n"
                    + "  - {name: app, upstream: " + UPSTREAM + ", repository: " + REPO + ", tags: {semver: '1'},"
                    + " once: true}\n"
                    + "  - {name: later, upstream: " + UPSTREAM + ", repository: " + REPO + ", tags: ['1.0.0'],"
                    + " cron: '0 3 1 1 *'}\n";
            try (RunningWharf wharf = RunningWharf.start(body, dir.resolve("data"))) {
                JsonNode first = awaitLastRun(wharf, "app", "");
                assertEquals(2, first.path("selected").asInt(), first::toString);
                assertEquals(2, first.path("images").asInt(), first::toString);
                assertEquals(
                        image.blobDigests().size(), first.path("blobsFetched").asInt());
                assertEquals(
                        image.blobDigests().size(),
                        registry.count("GET", p -> p.startsWith("/v2/" + REPO + "/blobs/")),
                        "each blob fetched once although two tags name the image");
                JsonNode later = rule(adminGet(wharf), "later");
                assertTrue(later.path("lastRun").isNull());
                assertTrue(later.path("nextRun").asText().endsWith("-01-01T03:00:00Z"), later::toString);
                assertEquals(404, adminPost(wharf, "/prewarm/nothing/run"));
                registry.clearRequests();

                assertEquals(202, adminPost(wharf, "/prewarm/app/run"));

                JsonNode second =
                        awaitLastRun(wharf, "app", first.path("finished").asText());
                assertEquals(0, second.path("bytesFetched").asLong());
                assertEquals(List.of(), requested(registry.requestsSettled(), "/blobs/"));
                String metrics = adminText(wharf, "/metrics");
                assertTrue(metrics.contains("wharf_prewarm_runs_total{result=\"ok\",rule=\"app\"} 2.0"), metrics);
                assertTrue(metrics.contains("wharf_prewarm_lag_seconds{rule=\"app\"}"), metrics);
            }
        }
    }

    @Test
    void aRepositoryGlobPrewarmsEachCatalogRepositoryItMatchesWithTheImagesReferrers(@TempDir Path dir)
            throws Exception {
        Path data = dir.resolve("data");
        try (RegistryProcess registry = RegistryProcess.anonymous();
                FaultyUpstream noCatalog = FaultyUpstream.fronting(registry)) {
            ImageSeeder seeder = ImageSeeder.of(registry);
            Map<String, SeededImage> images = new LinkedHashMap<>();
            for (String repository : List.of("team/a", "team/b", "other/c")) {
                images.put(
                        repository,
                        seeder.seedImage(repository, List.of("1.0.0"), ImageFormat.OCI, "amd64", 1, repository));
            }
            SeededImage signed = images.get("team/a");
            Map<String, Object> signature = seeder.pushReferrer(
                    "team/a", signed, ReferrersIT.SIGNATURE, "signature".getBytes(StandardCharsets.US_ASCII));
            seeder.pushReferrersTag("team/a", signed, List.of(signature));
            noCatalog.inject(FaultyUpstream.Fault.status(404), path -> path.startsWith("/v2/_catalog"));
            String body = "defaultUpstream: " + UPSTREAM + "\nupstreams:\n  - name: " + UPSTREAM + "\n    url: "
                    + registry.url() + "\n  - name: nocat.test\n    url: " + noCatalog.url() + "\n"
                    + "prewarm:\n"
                    + "  - {name: team, upstream: " + UPSTREAM + ", repository: 'team/*', tags: {semver: '1'},"
                    + " referrers: true, once: true}\n"
                    + "  - {name: no-catalog, upstream: nocat.test, repository: 'team/*', tags: ['1.0.0'],"
                    + " once: true}\n";
            Path config = dir.resolve("wharf.yaml");
            Files.writeString(config, "storage: {path: " + data + "}\n" + body);
            registry.clearRequests();

            Cli plan = cli("prewarm", "plan", "--config", config.toString(), "--rule", "team", "--json");

            assertEquals(0, plan.exit(), plan::err);
            Map<String, String> planned = new LinkedHashMap<>();
            plan.lines()
                    .forEach(l -> planned.put(
                            l.path("repository").asText(), l.path("digest").asText()));
            assertEquals(
                    Map.of(
                            "team/a", images.get("team/a").manifestDigest(),
                            "team/b", images.get("team/b").manifestDigest()),
                    planned,
                    plan::out);
            assertEquals(1, registry.count("GET", p -> p.startsWith("/v2/_catalog")), "catalog listed once");
            assertEquals(0, registry.count("GET", p -> p.contains("other/c")), "plan asked for other/c");
            registry.clearRequests();

            Cli run = cli("prewarm", "run", "--config", config.toString(), "--rule", "team", "--json");

            assertEquals(0, run.exit(), () -> run.err() + run.out());
            List<AccessLogEntry> requests = registry.requestsSettled();
            assertEquals(
                    List.of(),
                    requests.stream().filter(e -> e.path().contains("other/c")).toList(),
                    "a repository the glob does not match was asked for");
            for (String repository : List.of("team/a", "team/b")) {
                for (String blob : images.get(repository).blobDigests()) {
                    assertEquals(
                            1,
                            registry.count("GET", p -> p.equals("/v2/" + repository + "/blobs/" + blob)),
                            () -> repository + " blob " + blob + " not fetched once");
                }
            }
            JsonNode summary = run.lines().get(run.lines().size() - 1);
            assertEquals(2, summary.path("images").asInt(), run::out);
            assertEquals(1, summary.path("referrers").asInt(), run::out);
            // The signature's payload and empty config are fetched too, and counted.
            assertEquals(
                    images.get("team/a").blobDigests().size()
                            + images.get("team/b").blobDigests().size()
                            + 2,
                    summary.path("blobsFetched").asInt(),
                    run::out);
            String pins = Files.readString(data.resolve("prewarm-pins.json"));
            assertTrue(pins.contains("\"repository\":\"team/b\""), pins);
            assertTrue(pins.contains((String) signature.get("digest")), pins);

            Cli refused = cli("prewarm", "plan", "--config", config.toString(), "--rule", "no-catalog", "--json");

            assertEquals(1, refused.exit(), refused::out);
            JsonNode failure = refused.lines().get(0);
            assertEquals("catalog", failure.path("tag").asText(), refused::out);
            assertTrue(
                    failure.path("error")
                            .asText()
                            .startsWith("rule no-catalog: the repository glob team/* needs the"
                                    + " catalog API (GET /v2/_catalog) of upstream nocat.test"),
                    refused::out);

            registry.stop();
            try (RunningWharf wharf = RunningWharf.start(body, data)) {
                java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
                java.net.http.HttpResponse<byte[]> referrers = http.send(
                        java.net.http.HttpRequest.newBuilder(wharf.url()
                                        .resolve("/v2/" + UPSTREAM + "/team/a/referrers/" + signed.manifestDigest()))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(200, referrers.statusCode(), () -> new String(referrers.body(), StandardCharsets.UTF_8));
                assertEquals(List.of(signature.get("digest")), ReferrersIT.digests(referrers.body()));
                String digest = (String) signature.get("digest");
                byte[] raw = new Skopeo().inspectRaw(wharf.host() + "/" + UPSTREAM + "/team/a@" + digest);
                assertEquals(digest, dev.wharf.storage.Digest.sha256(raw).toString());
            }
        }
    }

    /** The admin listener's view of {@code name} once its last run finished at another time than {@code before}. */
    private static JsonNode awaitLastRun(RunningWharf wharf, String name, String before) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            JsonNode last = rule(adminGet(wharf), name).path("lastRun");
            if (last.isObject() && !last.path("finished").asText().equals(before)) {
                return last;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no run of " + name + " finished within 30 s: " + adminGet(wharf));
    }

    private static JsonNode rule(JsonNode status, String name) {
        for (JsonNode rule : status.path("rules")) {
            if (rule.path("name").asText().equals(name)) {
                return rule;
            }
        }
        throw new AssertionError("no rule " + name + " in " + status);
    }

    private static JsonNode adminGet(RunningWharf wharf) throws Exception {
        return json(adminText(wharf, "/prewarm"));
    }

    private static String adminText(RunningWharf wharf, String path) throws Exception {
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(wharf.adminUrl().resolve(path))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response::body);
        return response.body();
    }

    private static int adminPost(RunningWharf wharf, String path) throws Exception {
        return java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(wharf.adminUrl().resolve(path))
                                .POST(java.net.http.HttpRequest.BodyPublishers.noBody())
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    /** Every prewarmed image, for each chosen platform, copied by skopeo (which verifies every digest). */
    private static void pullWithSkopeo(RunningWharf wharf, Path out) throws IOException {
        Skopeo skopeo = new Skopeo();
        int n = 0;
        for (String tag : List.of("1.2.1", "1.3.0-rc1", "1.0.0")) {
            List<List<String>> platforms = tag.equals("1.0.0")
                    ? List.of(List.of())
                    : List.of(
                            List.of("--override-arch", "amd64"),
                            List.of("--override-arch", "arm64", "--override-variant", "v8"));
            for (List<String> platform : platforms) {
                Path target = out.resolve(String.valueOf(n++));
                Files.createDirectories(target);
                List<String> args = new ArrayList<>(platform);
                args.addAll(List.of(
                        "--insecure-policy",
                        "copy",
                        "--src-tls-verify=false",
                        "--src-no-creds",
                        "--retry-times",
                        "0",
                        "docker://" + wharf.host() + "/" + UPSTREAM + "/" + REPO + ":" + tag,
                        "dir:" + target));
                skopeo.run(args.toArray(String[]::new)).requireSuccess();
            }
        }
    }

    private static void pullWithContainerd(RunningWharf wharf, Path hosts, List<SeededIndex> indexes) {
        Containerd.writeHostsToml(hosts, UPSTREAM, "http://" + wharf.host());
        try (Containerd containerd = Containerd.start()) {
            for (String tag : List.of("1.2.1", "1.3.0-rc1")) {
                String image = UPSTREAM + "/" + REPO + ":" + tag;
                containerd.pull(image, hosts);
            }
            assertEquals(
                    indexes.get(0).index().manifestDigest(),
                    containerd.imageDigest(UPSTREAM + "/" + REPO + ":1.2.1").orElseThrow());
        }
    }

    private static Map<String, JsonNode> byTag(List<JsonNode> lines) {
        Map<String, JsonNode> byTag = new LinkedHashMap<>();
        lines.forEach(line -> byTag.put(line.path("tag").asText(), line));
        return byTag;
    }

    private static Set<String> missingBlobs(java.util.Collection<JsonNode> lines) {
        return lines.stream()
                .flatMap(l -> Stream.of(JSON.convertValue(l.path("missingBlobs"), String[].class)))
                .collect(Collectors.toSet());
    }

    private static long summed(List<JsonNode> lines, String field) {
        return lines.stream()
                .filter(l -> l.path("summary").asBoolean())
                .mapToLong(l -> l.path(field).asLong())
                .sum();
    }

    /** The references (tag or digest) of the GETs under {@code /v2/REPO{kind}}, in order. */
    private static List<String> requested(List<AccessLogEntry> requests, String kind) {
        String prefix = "/v2/" + REPO + kind;
        return requests.stream()
                .filter(e -> e.method().equals("GET") && e.path().startsWith(prefix))
                .map(e -> e.path().substring(prefix.length()))
                .toList();
    }

    private static Cli cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Cli(exit, out.toString(), err.toString());
    }

    private static JsonNode json(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new AssertionError("not a JSON line: " + line, e);
        }
    }
}
