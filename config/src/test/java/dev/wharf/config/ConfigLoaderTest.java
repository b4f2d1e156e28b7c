package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    private static final Path BASE = Path.of("/etc/wharf");

    @TempDir
    Path dir;

    @Test
    void defaultsAreThePublicRegistriesWithDockerHubFirst() {
        WharfConfig config = ConfigLoader.defaults();

        assertEquals(new HostPort("0.0.0.0", 5000), config.listen());
        assertEquals(new HostPort("127.0.0.1", 5001), config.adminListen());
        assertEquals(Path.of("wharf-data").toAbsolutePath(), config.storage().path());
        assertEquals("docker.io", config.defaultUpstream());
        assertEquals(
                List.of(
                        "docker.io",
                        "ghcr.io",
                        "quay.io",
                        "registry.k8s.io",
                        "gcr.io",
                        "public.ecr.aws",
                        "mcr.microsoft.com"),
                config.upstreams().stream().map(UpstreamConfig::name).toList());
        UpstreamConfig hub = config.upstreams().get(0);
        assertEquals(URI.create("https://registry-1.docker.io"), hub.url());
        assertEquals(List.of("index.docker.io", "registry-1.docker.io"), hub.aliases());
        assertEquals(
                URI.create("https://mcr.microsoft.com"),
                config.upstreams().get(6).url());
        assertEquals(Duration.ofSeconds(10), hub.connectTimeout());
        assertEquals(Duration.ofSeconds(60), hub.readTimeout());
        assertEquals(Duration.ofSeconds(10), hub.manifestTimeout());
        assertEquals(UpstreamCredentials.ANONYMOUS, hub.credentials());
        assertEquals(List.of(new FreshnessRule("*", Duration.ofSeconds(60))), config.freshness());
        assertEquals(Duration.ofDays(7), config.maxStale());
        assertEquals(Duration.ofSeconds(2), config.recheckDeadline());
        assertEquals(List.of(), config.prewarm());
    }

    @Test
    void aConfiguredUpstreamIsAddedToThePublicOnesAndReplacesTheOneItsNamesClaim() {
        WharfConfig config = ConfigLoader.parse("""
                upstreams:
                  - {name: registry.internal:5000, url: "https://registry.internal:5000"}
                  - {name: hub-mirror.internal, url: "https://hub-mirror.internal", aliases: [docker.io]}
                  - {name: quay.io, url: "https://quay-proxy.internal"}
                """, Map.of(), Path.of("/etc/wharf"));

        assertEquals(
                List.of(
                        "registry.internal:5000",
                        "hub-mirror.internal",
                        "quay.io",
                        "ghcr.io",
                        "registry.k8s.io",
                        "gcr.io",
                        "public.ecr.aws",
                        "mcr.microsoft.com"),
                config.upstreams().stream().map(UpstreamConfig::name).toList());
        assertEquals(
                URI.create("https://quay-proxy.internal"),
                config.upstreams().get(2).url());
        assertEquals("hub-mirror.internal", config.defaultUpstream(), "docker.io now names the configured mirror");
    }

    @Test
    void publicUpstreamsFalseKeepsOnlyTheConfiguredOnes() {
        WharfConfig config = ConfigLoader.parse("""
                publicUpstreams: false
                defaultUpstream: registry.internal
                upstreams:
                  - {name: registry.internal, url: "https://registry.internal"}
                """, Map.of(), Path.of("/etc/wharf"));

        assertEquals(
                List.of("registry.internal"),
                config.upstreams().stream().map(UpstreamConfig::name).toList());
    }

    @Test
    void dockerHubsTokenRealmIsAllowedByDefaultAndOtherRegistriesKeepTheirOwnOrigin() {
        WharfConfig builtIn = ConfigLoader.parse("", Map.of(), BASE);
        assertEquals(
                List.of("auth.docker.io:443"),
                builtIn.findUpstream("docker.io").orElseThrow().authRealmHosts());
        for (String name : List.of("ghcr.io", "quay.io", "registry.k8s.io", "gcr.io")) {
            assertEquals(List.of(), builtIn.findUpstream(name).orElseThrow().authRealmHosts(), name);
        }
        String own = "upstreams:\n  - name: docker.io\n    url: https://registry-1.docker.io\n";
        assertEquals(
                List.of("auth.docker.io:443"),
                ConfigLoader.parse(own, Map.of(), BASE).upstreams().get(0).authRealmHosts());
        String mirror = "upstreams:\n  - name: docker.io\n    url: https://mirror.example\n";
        assertEquals(
                List.of(),
                ConfigLoader.parse(mirror, Map.of(), BASE).upstreams().get(0).authRealmHosts());
        String set = own + "    authRealmHosts: [auth.example.net:8443]\n";
        assertEquals(
                List.of("auth.example.net:8443"),
                ConfigLoader.parse(set, Map.of(), BASE).upstreams().get(0).authRealmHosts());
    }

    @Test
    void readsTheLimitsWithDefaultsForWhatIsLeftOut() {
        assertEquals(
                ServerLimits.DEFAULT, ConfigLoader.parse("", Map.of(), BASE).limits());
        ServerLimits limits = ConfigLoader.parse(
                        "limits: {headerTimeout: 3s, maxConnections: 100, maxPipelined: 2}", Map.of(), BASE)
                .limits();
        assertEquals(
                new ServerLimits(
                        Duration.ofSeconds(3), Defaults.IDLE_TIMEOUT, 100, Defaults.MAX_CONNECTIONS_PER_ADDRESS, 2),
                limits);
    }

    @Test
    void readsTheHttp2LimitsWithDefaultsForWhatIsLeftOut() {
        assertEquals(
                Http2Limits.DEFAULT,
                ConfigLoader.parse("", Map.of(), BASE).limits().http2());
        assertEquals(
                new Http2Limits(20, Defaults.HTTP2_MAX_RESETS, Duration.ofMinutes(1)),
                ConfigLoader.parse("limits: {http2: {maxConcurrentStreams: 20, resetWindow: 1m}}", Map.of(), BASE)
                        .limits()
                        .http2());
    }

    @Test
    void emptyOrCommentOnlyFileMeansDefaultsWithStorageInBaseDir() {
        for (String yaml : List.of("", "# nothing here\n", "---\n", "~")) {
            WharfConfig config = ConfigLoader.parse(yaml, Map.of(), BASE);
            assertEquals(Path.of("/etc/wharf/wharf-data"), config.storage().path(), yaml);
            assertEquals(ConfigLoader.defaults().upstreams(), config.upstreams(), yaml);
            assertEquals(AccessLogConfig.OFF, config.accessLog(), yaml);
        }
    }

    @Test
    void readsTheAccessLogDestination() throws IOException {
        assertEquals(
                AccessLogConfig.STDOUT,
                ConfigLoader.parse("accessLog: stdout", Map.of(), dir).accessLog());
        assertEquals(
                AccessLogConfig.OFF,
                ConfigLoader.parse("accessLog: off", Map.of(), dir).accessLog());
        assertEquals(
                AccessLogConfig.OFF,
                ConfigLoader.parse("accessLog: false", Map.of(), dir).accessLog());
        Files.createDirectories(dir.resolve("logs"));
        assertEquals(
                AccessLogConfig.toFile(dir.resolve("logs/access.log").toAbsolutePath()),
                ConfigLoader.parse("accessLog: logs/access.log", Map.of(), dir).accessLog());
        assertEquals(
                AccessLogConfig.toFile(dir.resolve("access.log").toAbsolutePath()),
                ConfigLoader.parse("accessLog: ${LOG_FILE}", Map.of("LOG_FILE", "access.log"), dir)
                        .accessLog());
    }

    @Test
    void readsTheDocumentedExample() {
        String yaml = """
                listen: 0.0.0.0:5000
                adminListen: 127.0.0.1:5001
                storage:
                  path: ./cache/../wharf-data
                defaultUpstream: index.docker.io
                upstreams:
                  - name: docker.io
                    url: https://registry-1.docker.io/
                    aliases: [index.docker.io, registry-1.docker.io]
                  - name: registry.example.com:8443
                    url: https://registry.example.com:8443/mirror/
                    username: robot
                    password: ${EXAMPLE_PW}
                    authRealmHosts: [auth.example.net]
                    connectTimeout: 1500ms
                    readTimeout: 1h30m
                    manifestTimeout: 2500ms
                freshness:
                  - match: "*:latest"
                    tagTtl: 0s
                  - match: "*"
                    tagTtl: 60s
                maxStale: 7d
                recheckDeadline: 500ms
                prewarm:
                  - upstream: docker.io
                    repository: nginx
                    tags: {semver: "~1.27", prerelease: false, exclude: "-alpine$", newest: 3}
                    platforms: [linux/amd64, linux/arm64]
                    every: 6h
                  - upstream: REGISTRY.example.com:8443
                    repository: team/app
                    tags: [1.10, "2.0", latest]
                    every: 30m
                """;

        WharfConfig config = ConfigLoader.parse(yaml, Map.of("EXAMPLE_PW", "pw"), BASE);

        assertEquals(Path.of("/etc/wharf/wharf-data"), config.storage().path());
        assertEquals("docker.io", config.defaultUpstream());
        assertEquals(
                URI.create("https://registry-1.docker.io"),
                config.upstreams().get(0).url());
        UpstreamConfig example = config.upstreams().get(1);
        assertEquals(URI.create("https://registry.example.com:8443/mirror"), example.url());
        assertEquals(new UpstreamCredentials.Basic("robot", new Secret.Inline("pw")), example.credentials());
        assertEquals(List.of("auth.example.net"), example.authRealmHosts());
        assertEquals(Duration.ofMillis(1500), example.connectTimeout());
        assertEquals(Duration.ofMinutes(90), example.readTimeout());
        assertEquals(Duration.ofMillis(2500), example.manifestTimeout());
        assertEquals(Duration.ofSeconds(10), config.upstreams().get(0).manifestTimeout());
        assertEquals(Duration.ofMillis(500), config.recheckDeadline());
        assertEquals(Duration.ZERO, FreshnessRule.ttlFor(config.freshness(), "library/nginx", "latest", null));
        assertEquals(
                new PrewarmRule(
                        "docker.io/library/nginx",
                        "docker.io",
                        "library/nginx",
                        new TagSelector(
                                List.of(),
                                Optional.of(SemverRange.parse("~1.27")),
                                Optional.empty(),
                                Optional.of(Pattern.compile("-alpine$")),
                                false,
                                3),
                        List.of("linux/amd64", "linux/arm64"),
                        false,
                        new PrewarmSchedule.Every(Duration.ofHours(6))),
                config.prewarm().get(0));
        PrewarmRule second = config.prewarm().get(1);
        assertEquals("registry.example.com:8443", second.upstream());
        assertEquals("team/app", second.repository());
        assertEquals(List.of("1.10", "2.0", "latest"), second.tags().exact());
        assertEquals(List.of(), second.platforms());
    }

    @Test
    void reportsEveryProblemTogetherInDocumentOrder() {
        String yaml = """
                listen: abc
                storage: {path: ./data, cache: {size: 1}}
                upstreams:
                  - name: docker.io
                    url: https://registry-1.docker.io
                  - name: registry.example.com
                    url: ftp://registry.example.com
                    usrname: robot
                    readTimeout: soon
                defaultUpstream: nope
                freshness:
                  - {match: "*", tagTtl: 1 minute}
                maxStale: 7 days
                prewarm:
                  - {upstream: nowhere.example, repository: app, tags: [latest], every: 6h}
                """;

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, Map.of(), BASE));

        assertEquals(
                List.of(
                        "listen: \"abc\" (expected: host:port with port 1-65535)",
                        "storage.cache: unknown key",
                        "upstreams[1].usrname: unknown key",
                        "upstreams[1].url: \"ftp://registry.example.com\" (expected: http or https URL)",
                        "upstreams[1].readTimeout: \"soon\" (expected: positive duration like 500ms, 10s, 5m)",
                        "defaultUpstream: \"nope\" (expected: the name or alias of a configured upstream)",
                        "freshness[0].tagTtl: \"1 minute\" (expected: duration like 30s, 5m, 6h, 7d)",
                        "maxStale: \"7 days\" (expected: duration like 30s, 5m, 6h, 7d)",
                        "prewarm[0].upstream: \"nowhere.example\" (expected: the name or alias of a configured"
                                + " upstream)"),
                e.problems());
    }

    @Test
    void anUnreadableUpstreamNameDoesNotCascadeIntoReferenceProblems() {
        String yaml = """
                defaultUpstream: mirror.local
                upstreams:
                  - {name: "Mirror.Local!", url: "http://mirror.local"}
                """;

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, Map.of(), BASE));

        assertEquals(
                List.of("upstreams[0].name: \"Mirror.Local!\""
                        + " (expected: registry host like ghcr.io or registry.local:5000)"),
                e.problems());
    }

    @Test
    void substitutesEnvironmentVariablesWithDefaults() {
        String yaml = """
                listen: ${HOST}:${PORT:-5000}
                adminListen: 127.0.0.1:${ADMIN_PORT:-5001}
                storage: {path: "${DATA:-/var/lib/wharf}"}
                maxStale: ${STALE:-1d}
                upstreams:
                  - name: docker.io
                    url: https://registry-1.docker.io
                    username: ${USER_NAME}
                    password: "$${literal}${PW}"
                prewarm:
                  - {upstream: docker.io, repository: nginx, tags: {newest: "${N}"}, every: 6h}
                """;
        Map<String, String> env =
                Map.of("HOST", "10.0.0.1", "ADMIN_PORT", "", "USER_NAME", "robot", "PW", "pw", "N", "4", "STALE", "2h");

        WharfConfig config = ConfigLoader.parse(yaml, env, BASE);

        assertEquals(new HostPort("10.0.0.1", 5000), config.listen());
        assertEquals(new HostPort("127.0.0.1", 5001), config.adminListen());
        assertEquals(Path.of("/var/lib/wharf"), config.storage().path());
        assertEquals(Duration.ofHours(2), config.maxStale());
        assertEquals(
                new UpstreamCredentials.Basic("robot", new Secret.Inline("${literal}pw")),
                config.upstreams().get(0).credentials());
        assertEquals(4, config.prewarm().get(0).tags().newest());
    }

    @Test
    void reportsEveryUnsetVariableByName() {
        String yaml = "listen: ${HOST}:${PORT}\nmaxStale: ${STALE}\n";

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, Map.of(), BASE));

        assertEquals(
                List.of(
                        "listen: environment variable HOST is not set",
                        "listen: environment variable PORT is not set",
                        "maxStale: environment variable STALE is not set"),
                e.problems());
    }

    @Test
    void readsPasswordFileRelativeToBaseDir() throws IOException {
        Files.createDirectories(dir.resolve("secrets"));
        Files.writeString(dir.resolve("secrets/example"), "s3cret\n");
        String yaml = """
                upstreams:
                  - {name: docker.io, url: "https://registry-1.docker.io", username: robot, passwordFile: secrets/example}
                """;

        UpstreamConfig hub = ConfigLoader.parse(yaml, Map.of(), dir).upstreams().get(0);

        assertEquals(
                new UpstreamCredentials.Basic("robot", new Secret.InFile(dir.resolve("secrets/example"))),
                hub.credentials());
    }

    @Test
    void reportsMissingAndEmptyPasswordFiles() throws IOException {
        Files.writeString(dir.resolve("empty"), "\n");
        String yaml = """
                upstreams:
                  - {name: docker.io, url: "https://registry-1.docker.io", username: robot, passwordFile: missing}
                  - {name: ghcr.io, url: "https://ghcr.io", username: robot, passwordFile: empty}
                """;

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, Map.of(), dir));

        assertEquals(
                List.of(
                        "upstreams[0].passwordFile: \"" + dir.resolve("missing")
                                + "\" does not exist (expected: a readable file holding the password)",
                        "upstreams[1].passwordFile: \"" + dir.resolve("empty")
                                + "\" is empty (expected: a readable file holding the password)"),
                e.problems());
    }

    @Test
    void dockerHubGetsItsAliasesUnlessGivenOthers() {
        String implicit = "upstreams:\n  - {name: docker.io, url: 'https://mirror.example'}\n";
        String none = "upstreams:\n  - {name: docker.io, url: 'https://mirror.example', aliases: []}\n";

        assertEquals(
                List.of("index.docker.io", "registry-1.docker.io"),
                ConfigLoader.parse(implicit, Map.of(), BASE).upstreams().get(0).aliases());
        assertEquals(
                List.of(),
                ConfigLoader.parse(none, Map.of(), BASE).upstreams().get(0).aliases());
    }

    @Test
    void findsUpstreamsByNameOrAliasIgnoringCase() {
        WharfConfig config = ConfigLoader.defaults();

        assertEquals(
                "docker.io",
                config.findUpstream("Index.Docker.IO").orElseThrow().name());
        assertEquals(
                "docker.io",
                config.findUpstream("registry-1.docker.io").orElseThrow().name());
        assertEquals("quay.io", config.findUpstream("QUAY.io").orElseThrow().name());
        assertEquals(Optional.empty(), config.findUpstream("example.com"));
        assertEquals("docker.io", config.defaultUpstreamConfig().name());
    }

    @Test
    void loadsAFileResolvingPathsNextToIt() throws IOException {
        Path file = dir.resolve("wharf.yaml");
        Files.writeString(file, "storage:\n  path: data\nmaxStale: 1h\n");

        WharfConfig config = ConfigLoader.load(file);

        assertEquals(dir.resolve("data").toAbsolutePath(), config.storage().path());
        assertEquals(Duration.ofHours(1), config.maxStale());
    }

    @Test
    void refusesMissingAndOversizedFiles() throws IOException {
        Path missing = dir.resolve("absent.yaml");
        Path big = dir.resolve("big.yaml");
        Files.writeString(big, "#" + "x".repeat(ConfigLoader.MAX_SIZE));

        assertEquals(
                List.of("\"" + missing + "\": does not exist (expected: a readable YAML file)"),
                assertThrows(ConfigException.class, () -> ConfigLoader.load(missing))
                        .problems());
        assertEquals(
                List.of("\"" + big + "\": larger than 1 MiB (expected: a configuration of at most 1 MiB)"),
                assertThrows(ConfigException.class, () -> ConfigLoader.load(big))
                        .problems());
        assertTrue(Files.size(big) > ConfigLoader.MAX_SIZE);
    }

    @Test
    void unlessSetTheManifestTimeoutIsTenSecondsOrTheReadTimeoutWhenThatIsShorter() {
        WharfConfig config = ConfigLoader.parse("""
                defaultUpstream: quick.io
                upstreams:
                  - name: quick.io
                    url: https://quick.io
                    readTimeout: 3s
                  - name: slow.io
                    url: https://slow.io
                    readTimeout: 5m
                """, Map.of(), BASE);

        assertEquals(Duration.ofSeconds(3), config.upstreams().get(0).manifestTimeout());
        assertEquals(Duration.ofSeconds(10), config.upstreams().get(1).manifestTimeout());
    }
}
