package dev.wharf.proxy.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.proxy.lab.CommandResult;
import dev.wharf.proxy.lab.Containerd;
import dev.wharf.proxy.lab.ImageFormat;
import dev.wharf.proxy.lab.ImageSeeder;
import dev.wharf.proxy.lab.RegistryProcess;
import dev.wharf.proxy.lab.RunningWharf;
import dev.wharf.proxy.lab.S3Server;
import dev.wharf.proxy.lab.SeededImage;
import dev.wharf.proxy.lab.SeededSet;
import dev.wharf.proxy.lab.Skopeo;
import dev.wharf.proxy.upstream.RegistryClient;
import dev.wharf.storage.Digest;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The air-gapped recipe end to end, against the real distribution registry: site A exports (fetching what it has not
 * cached), site B (an empty cache, offline) imports, and skopeo pulls every image through B by its usual name while
 * the upstream's access log shows no request from B; the bundle is byte-identical when exported twice and skopeo reads
 * it on its own; referrers travel; a delta carries only new blobs; corrupt, truncated and incomplete bundles are
 * refused with nothing recorded, and an interrupted import completes when run again.
 */
class AirGapIT {
    private static final String UPSTREAM = "up.test";
    private static final String SIGNATURE = "application/vnd.dev.cosign.artifact.sig.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Skopeo skopeo = new Skopeo();
    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void exportCarryImportAndPullOffline(@TempDir Path dir) throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            ImageSeeder seeder = ImageSeeder.of(registry);
            SeededSet seeded = seeder.seedStandard();
            Map<String, Object> signature = seeder.pushReferrer(
                    "org/ociapp", seeded.ociApp(), SIGNATURE, "signed".getBytes(StandardCharsets.US_ASCII));
            seeder.pushReferrersTag("org/ociapp", seeded.ociApp(), List.of(signature));

            Path dataA = Files.createDirectory(dir.resolve("a"));
            String upstreamYaml = RunningWharf.singleUpstream(UPSTREAM, registry);
            Path configA = Cli.config(dir, dataA, upstreamYaml);
            List<String> images = seeded.all().stream()
                    .map(i -> UPSTREAM + "/" + i.reference())
                    .toList();
            Path bundle = dir.resolve("bundle.tar");

            // A running serve holds the storage: export says so rather than failing obscurely.
            try (RunningWharf serving = RunningWharf.start(upstreamYaml, dataA)) {
                Cli refused = export(configA, bundle, images, List.of());
                assertEquals(1, refused.exitCode());
                assertTrue(refused.err().contains("in use by another Wharf process"), refused.err());
                assertTrue(refused.err().contains("stop the wharf serve"), refused.err());
                Path placeholder = Files.write(dir.resolve("placeholder.tar"), new byte[0]);
                Cli importRefused = Cli.run("import", placeholder.toString(), "--config", configA.toString());
                assertEquals(1, importRefused.exitCode());
                assertTrue(importRefused.err().contains("wharf import: cannot open the storage"), importRefused.err());
                assertEquals(200, get(serving.url(), "/v2/").statusCode(), "serve goes on");
            }

            // Site A's cache is empty: export fetches every image through pull, then writes.
            export(configA, bundle, images, List.of("--platform", "linux/amd64"))
                    .requireSuccess();
            Path again = dir.resolve("again.tar");
            export(configA, again, images, List.of("--platform", "linux/amd64")).requireSuccess();
            assertArrayEquals(sha256(bundle), sha256(again), "the same content gives a byte-identical bundle");
            assertTrue(registry.count("GET", p -> p.contains("/blobs/")) > 0, "site A fetched from the upstream");

            // skopeo reads the bundle on its own.
            Path fromArchive = dir.resolve("from-archive");
            skopeo.run(
                            "--insecure-policy",
                            "copy",
                            "oci-archive:" + bundle + ":" + UPSTREAM + "/"
                                    + seeded.ociApp().reference(),
                            "dir:" + fromArchive)
                    .requireSuccess();
            assertArrayEquals(
                    Digest.parse(seeded.ociApp().manifestDigest()).encoded().getBytes(StandardCharsets.US_ASCII),
                    Digest.sha256(Files.readAllBytes(fromArchive.resolve("manifest.json")))
                            .encoded()
                            .getBytes(StandardCharsets.US_ASCII));

            // Site B: an empty cache, offline; any request it made would reach this registry's access log.
            Path dataB = Files.createDirectory(dir.resolve("b"));
            String offlineYaml = upstreamYaml + "offline: true\n";
            Path configB = Cli.config(dir, dataB, offlineYaml);
            registry.clearRequests();
            Cli imported = Cli.run("import", bundle.toString(), "--config", configB.toString())
                    .requireSuccess();
            assertTrue(imported.out().contains("4 images and "), imported.out());
            Cli twice = Cli.run("import", bundle.toString(), "--config", configB.toString())
                    .requireSuccess();
            assertTrue(twice.out().contains("0 blobs written (0 bytes)"), "idempotent: " + twice.out());

            try (RunningWharf siteB = RunningWharf.start(offlineYaml, dataB)) {
                for (SeededImage image : seeded.all()) {
                    Path out = dir.resolve("b-" + image.repository().replace('/', '-'));
                    skopeo.copyToDir(siteB.host() + "/" + UPSTREAM + "/" + image.reference(), out);
                    assertEquals(image.manifestDigest(), pulledDigest(siteB, image));
                }
                // containerd too, as a mirror for every registry (requests carry ?ns=up.test).
                try (Containerd containerd = Containerd.start()) {
                    Path hosts = Files.createDirectory(dir.resolve("hosts"));
                    Containerd.writeHostsToml(hosts, "_default", siteB.url().toString());
                    for (SeededImage image : seeded.all()) {
                        String name = UPSTREAM + "/" + image.reference();
                        containerd.pull(name, hosts);
                        assertEquals(Optional.of(image.manifestDigest()), containerd.imageDigest(name));
                    }
                }
                // Only the chosen platform of the multi-platform index travelled.
                CommandResult arm = skopeo.run(
                        "--insecure-policy",
                        "--override-arch",
                        "arm64",
                        "--override-variant",
                        "v8",
                        "copy",
                        "--src-tls-verify=false",
                        "--retry-times",
                        "0",
                        "docker://" + siteB.host() + "/" + UPSTREAM + "/"
                                + seeded.multi().reference(),
                        "dir:" + dir.resolve("b-arm"));
                assertNotEquals(0, arm.exitCode(), "arm64 was not exported");
                // The signature travelled with its image, and is found by the referrers API on site B.
                JsonNode referrers = JSON.readTree(get(
                                siteB.url(),
                                "/v2/" + UPSTREAM + "/org/ociapp/referrers/"
                                        + seeded.ociApp().manifestDigest())
                        .body());
                assertEquals(
                        signature.get("digest"),
                        referrers.path("manifests").path(0).path("digest").asText());
                assertEquals(
                        200,
                        get(siteB.url(), "/v2/" + UPSTREAM + "/org/ociapp/manifests/" + signature.get("digest"))
                                .statusCode());
            }
            assertEquals(List.of(), registry.requestsSettled(), "site B never dialled the upstream");

            // A delta: a new tag, exported with --since, carries only what the first bundle lacks.
            SeededImage newer = seeder.seedImage("org/ociapp", List.of("2.0"), ImageFormat.OCI, "arm64", 1);
            Path delta = dir.resolve("delta.tar");
            Cli deltaExport = export(
                            configA,
                            delta,
                            List.of(
                                    UPSTREAM + "/" + newer.reference(),
                                    UPSTREAM + "/" + seeded.alpine().reference()),
                            List.of("--since", bundle.toString()))
                    .requireSuccess();
            Set<Digest> deltaBlobs = BlobPath.inBundle(delta);
            assertEquals(
                    Set.of(
                            Digest.parse(newer.manifestDigest()),
                            Digest.parse(newer.blobDigests().get(0)),
                            Digest.parse(newer.blobDigests().get(1))),
                    deltaBlobs,
                    deltaExport.out());
            Path dataEmpty = Files.createDirectory(dir.resolve("empty"));
            Cli lacking = Cli.run(
                    "import",
                    delta.toString(),
                    "--config",
                    Cli.config(dir, dataEmpty, offlineYaml).toString());
            assertEquals(1, lacking.exitCode());
            assertTrue(lacking.err().contains("neither in the bundle nor in the cache"), lacking.err());
            Cli.run("import", delta.toString(), "--config", configB.toString()).requireSuccess();
            try (RunningWharf siteB = RunningWharf.start(offlineYaml, dataB)) {
                skopeo.copyToDir(siteB.host() + "/" + UPSTREAM + "/" + newer.reference(), dir.resolve("b-newer"));
            }
            System.out.printf(
                    "AirGapIT: bundle %d bytes (%s), delta %d bytes with %d blobs; site B: %s%n",
                    Files.size(bundle),
                    firstLine(export(configA, again, images, List.of("--platform", "linux/amd64"))
                            .out()),
                    Files.size(delta),
                    deltaBlobs.size(),
                    firstLine(imported.out()));
        }
    }

    @Test
    void aPrewarmRuleSelectsWhatIsExportedWithItsPlatforms(@TempDir Path dir) throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            SeededSet seeded = ImageSeeder.of(registry).seedStandard();
            // An OCI index: skopeo's oci-archive reading finds OCI-typed entries only.
            SeededImage multi = seeded.ociIndex();
            Path data = Files.createDirectory(dir.resolve("a"));
            Path config = Cli.config(
                    dir,
                    data,
                    RunningWharf.singleUpstream(UPSTREAM, registry)
                            + "prewarm:\n  - {name: multi, upstream: " + UPSTREAM + ", repository: "
                            + multi.repository() + ", tags: [\"" + multi.tags().get(0)
                            + "\"], platforms: [linux/amd64], once: true}\n");
            Path bundle = dir.resolve("rule.tar");

            assertEquals(
                    2,
                    Cli.run("export", "--config", config.toString(), "--out", bundle.toString(), "--rule", "nope")
                            .exitCode());
            Cli.run("export", "--config", config.toString(), "--out", bundle.toString(), "--rule", "multi")
                    .requireSuccess();

            String reference = UPSTREAM + "/" + multi.reference();
            skopeo.run(
                            "--insecure-policy",
                            "copy",
                            "--override-arch",
                            "amd64",
                            "oci-archive:" + bundle + ":" + reference,
                            "dir:" + dir.resolve("amd64"))
                    .requireSuccess();
            CommandResult arm = skopeo.run(
                    "--insecure-policy",
                    "copy",
                    "--override-arch",
                    "arm64",
                    "oci-archive:" + bundle + ":" + reference,
                    "dir:" + dir.resolve("arm64"));
            assertTrue(arm.exitCode() != 0, "the rule's platforms only: no arm64 in the bundle");
        }
    }

    @Test
    void corruptTruncatedAndIncompleteBundlesAreRefusedWithNothingRecorded(@TempDir Path dir) throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            SeededSet seeded = ImageSeeder.of(registry).seedStandard();
            String upstreamYaml = RunningWharf.singleUpstream(UPSTREAM, registry);
            Path dataA = Files.createDirectory(dir.resolve("a"));
            Path bundle = dir.resolve("bundle.tar");
            List<String> images = seeded.all().stream()
                    .map(i -> UPSTREAM + "/" + i.reference())
                    .toList();
            export(Cli.config(dir, dataA, upstreamYaml), bundle, images, List.of())
                    .requireSuccess();
            String layer = seeded.alpine().blobDigests().get(1);
            String offlineYaml = upstreamYaml + "offline: true\n";

            Path flipped = rewrite(bundle, dir.resolve("flipped.tar"), name -> name.endsWith(hex(layer)), true);
            refused(dir, "flipped", flipped, offlineYaml, seeded, "blobs/sha256/" + hex(layer) + ": its bytes do not");

            Path missing = rewrite(bundle, dir.resolve("missing.tar"), name -> name.endsWith(hex(layer)), false);
            refused(dir, "missing", missing, offlineYaml, seeded, layer + " is neither in the bundle nor in the cache");

            // Cut in the middle: an import killed halfway leaves what it verified, and a whole one then completes.
            Path truncated = dir.resolve("truncated.tar");
            try (InputStream in = Files.newInputStream(bundle);
                    OutputStream out = Files.newOutputStream(truncated)) {
                out.write(in.readNBytes((int) (Files.size(bundle) / 2)));
            }
            Path data = refused(dir, "truncated", truncated, offlineYaml, seeded, "the bundle is truncated");
            Cli resumed = Cli.run(
                            "import",
                            bundle.toString(),
                            "--config",
                            dir.resolve("wharf-" + data.getFileName() + ".yaml").toString())
                    .requireSuccess();
            assertTrue(!resumed.out().contains(" 0 already stored"), "resumed: " + resumed.out());
            try (RunningWharf siteB = RunningWharf.start(offlineYaml, data)) {
                assertEquals(seeded.alpine().manifestDigest(), pulledDigest(siteB, seeded.alpine()));
            }
            System.out.println("AirGapIT: after a truncated import, the whole bundle: " + firstLine(resumed.out()));
        }
    }

    @Test
    void importIntoABucketServesAnotherReplicaOffline(@TempDir Path dir) throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous();
                S3Server s3 = S3Server.start()) {
            SeededSet seeded = ImageSeeder.of(registry).seedStandard();
            String upstreamYaml = RunningWharf.singleUpstream(UPSTREAM, registry);
            Path bundle = dir.resolve("bundle.tar");
            List<String> images = seeded.all().stream()
                    .map(i -> UPSTREAM + "/" + i.reference())
                    .toList();
            export(Cli.config(dir, Files.createDirectory(dir.resolve("a")), upstreamYaml), bundle, images, List.of())
                    .requireSuccess();
            registry.clearRequests();

            String offlineYaml = upstreamYaml + "offline: true\n";
            Path importer = Files.createDirectory(dir.resolve("importer"));
            Cli imported = Cli.run(
                            "import",
                            bundle.toString(),
                            "--config",
                            Cli.config(dir, importer, s3.storageYaml("site-b/") + offlineYaml)
                                    .toString())
                    .requireSuccess();
            assertTrue(imported.out().contains("4 images"), imported.out());
            // A replica that never saw the import (its own empty storage.path) finds everything in the bucket.
            Path replica = Files.createDirectory(dir.resolve("replica"));
            try (RunningWharf siteB = RunningWharf.start(offlineYaml, replica, s3.storageYaml("site-b/"))) {
                for (SeededImage image : seeded.all()) {
                    skopeo.copyToDir(
                            siteB.host() + "/" + UPSTREAM + "/" + image.reference(),
                            dir.resolve("s3-" + image.repository().replace('/', '-')));
                    assertEquals(image.manifestDigest(), pulledDigest(siteB, image));
                }
            }
            assertEquals(List.of(), registry.requestsSettled(), "the bucket's replica never dialled the upstream");
            System.out.println("AirGapIT: into S3: " + firstLine(imported.out()));
        }
    }

    /** Imports {@code bundle} into an empty cache: refused with {@code message}, and no image is visible after. */
    private Path refused(Path dir, String name, Path bundle, String yaml, SeededSet seeded, String message)
            throws Exception {
        Path data = Files.createDirectory(dir.resolve(name));
        Cli result = Cli.run(
                "import",
                bundle.toString(),
                "--config",
                Cli.config(dir, data, yaml).toString());
        assertEquals(1, result.exitCode(), result.out());
        assertTrue(result.err().contains(message), result.err());
        assertTrue(result.err().contains("nothing was recorded"), result.err());
        try (RunningWharf site = RunningWharf.start(yaml, data)) {
            for (SeededImage image : seeded.all()) {
                HttpResponse<byte[]> response = get(
                        site.url(),
                        "/v2/" + UPSTREAM + "/" + image.repository() + "/manifests/"
                                + image.tags().get(0));
                assertEquals(502, response.statusCode(), name + ": " + image.reference() + " is not visible");
            }
        }
        return data;
    }

    /** Copies a bundle entry by entry, flipping one byte in (or leaving out) the entries {@code which} names. */
    private static Path rewrite(Path from, Path to, Predicate<String> which, boolean flip) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(from));
                OutputStream out = new BufferedOutputStream(Files.newOutputStream(to))) {
            TarReader reader = new TarReader(in);
            TarWriter writer = new TarWriter(out);
            for (Optional<TarReader.Entry> e = reader.next(); e.isPresent(); e = reader.next()) {
                byte[] body = reader.body().readAllBytes();
                if (which.test(e.get().name())) {
                    if (!flip) {
                        continue;
                    }
                    body[body.length / 2] ^= 1;
                }
                writer.file(e.get().name(), body);
            }
            writer.close();
        }
        return to;
    }

    /** {@code wharf export} of {@code images}, with {@code more} options ({@code --platform}, {@code --since}). */
    private static Cli export(Path config, Path out, List<String> images, List<String> more) {
        List<String> args = new ArrayList<>(List.of("export", "--config", config.toString(), "--out", out.toString()));
        for (String image : images) {
            args.add("--image");
            args.add(image);
        }
        args.addAll(more);
        return Cli.run(args.toArray(String[]::new));
    }

    private String pulledDigest(RunningWharf site, SeededImage image) throws Exception {
        HttpResponse<byte[]> response = http.send(
                HttpRequest.newBuilder(site.url()
                                .resolve("/v2/" + UPSTREAM + "/" + image.repository() + "/manifests/"
                                        + image.tags().get(0)))
                        .header("Accept", RegistryClient.manifestAcceptHeader())
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
        return response.headers().firstValue("Docker-Content-Digest").orElse("");
    }

    private HttpResponse<byte[]> get(URI base, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(base.resolve(path))
                        .header("Accept", RegistryClient.manifestAcceptHeader())
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String hex(String digest) {
        return Digest.parse(digest).encoded();
    }

    private static byte[] sha256(Path file) throws IOException {
        return Digest.sha256(Files.readAllBytes(file)).encoded().getBytes(StandardCharsets.US_ASCII);
    }

    private static String firstLine(String text) {
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }
}
