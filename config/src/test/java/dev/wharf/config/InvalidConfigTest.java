package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class InvalidConfigTest {
    private static final String ROBOT = "upstreams:\n  - name: docker.io\n    url: https://registry-1.docker.io\n";

    static Stream<Arguments> invalidConfigurations() {
        return Stream.of(
                row("listen: abc", "listen: \"abc\" (expected: host:port with port 1-65535)"),
                row("listen: ':70000'", "listen: \":70000\" (expected: host:port with port 1-65535)"),
                row("adminListen: [1, 2]", "adminListen: a list (expected: host:port with port 1-65535)"),
                row(
                        "listen: ':5000'\nadminListen: '0.0.0.0:5000'",
                        "adminListen: \"0.0.0.0:5000\" (expected: an address other than listen)"),
                row("maxStale: 7 days", "maxStale: \"7 days\" (expected: duration like 30s, 5m, 6h, 7d)"),
                row("maxStale: -5m", "maxStale: \"-5m\" (expected: duration like 30s, 5m, 6h, 7d)"),
                row("recheckDeadline: soon", "recheckDeadline: \"soon\" (expected: duration like 30s, 5m, 6h, 7d)"),
                row(
                        "defaultUpstream: nope",
                        "defaultUpstream: \"nope\" (expected: the name or alias of a configured upstream)"),
                row("storage:\n  disk: {path: b}", "storage.disk: unknown key"),
                row("lisen: ':5000'", "lisen: unknown key"),
                row(
                        "- listen",
                        "top level: a list (expected: a mapping of settings such as listen, storage, upstreams)"),
                row(
                        "maxStale: 5m\nlisten: a: b",
                        "line 2, column 10: mapping values are not allowed here (expected: valid YAML)"),
                row(
                        "maxStale: 5m\nlisten: \"abc\n",
                        "line 3, column 1: found unexpected end of stream (expected: valid YAML)"),
                row(
                        "listen: ':5000'\nlisten: ':6000'",
                        "line 2, column 7: Duplicate field 'listen' (expected: valid YAML)"),
                row(
                        ROBOT + "  - name: x.io\n    url: https://x.io\n    usrname: robot",
                        "upstreams[1].usrname: unknown key"),
                row(
                        ROBOT + "  - name: x.io\n    url: https://x.io\n  - name: ftp.io\n    url: ftp://x",
                        "upstreams[2].url: \"ftp://x\" (expected: http or https URL)"),
                row(
                        ROBOT + "  - name: x.io\n    url: https://x.io?a=b",
                        "upstreams[1].url: \"https://x.io?a=b\" (expected: http or https URL without query or fragment)"),
                row(
                        ROBOT + "  - name: x.io\n    url: https://robot:Secr3t@x.io",
                        "upstreams[1].url: credentials in the URL (expected: username with password or passwordFile)"),
                row(
                        ROBOT + "  - url: https://x.io",
                        "upstreams[1].name: missing (expected: registry host like ghcr.io or registry.local:5000)"),
                row(
                        ROBOT + "  - name: X.io/path\n    url: https://x.io",
                        "upstreams[1].name: \"X.io/path\" (expected: registry host like ghcr.io or registry.local:5000)"),
                row(ROBOT + "  - name: x.io", "upstreams[1].url: missing (expected: http or https URL)"),
                row(
                        ROBOT + "  - name: hub.example\n    url: https://x.io\n    aliases: [index.docker.io]",
                        "upstreams[1].aliases[0]: \"index.docker.io\" is already used at upstreams[0].name"
                                + " (expected: a name or alias used once)"),
                row(
                        ROBOT + "  - name: docker.io\n    url: https://x.io",
                        "upstreams[1].name: \"docker.io\" is already used at upstreams[0].name"
                                + " (expected: a name or alias used once)",
                        "upstreams[1].name: \"index.docker.io\" is already used at upstreams[0].name"
                                + " (expected: a name or alias used once)",
                        "upstreams[1].name: \"registry-1.docker.io\" is already used at upstreams[0].name"
                                + " (expected: a name or alias used once)"),
                row(
                        ROBOT
                                + "  - name: x.io\n    url: https://x.io\n    username: robot\n    password: a\n    token: b",
                        "upstreams[1]: password and token set together"
                                + " (expected: at most one of password, passwordFile, token, tokenFile, dockerConfig, credentialHelper, ecr, gcp)"),
                row(
                        ROBOT + "  - name: x.io\n    url: https://x.io\n    username: robot",
                        "upstreams[1].username: set without password"
                                + " (expected: password or passwordFile with username)"),
                row(
                        ROBOT + "  - name: x.io\n    url: https://x.io\n    password: hunter2",
                        "upstreams[1].password: set without username (expected: username with password)"),
                row(
                        ROBOT
                                + "  - name: x.io\n    url: https://x.io\n    username: robot\n    password: ${EXAMPLE_PW}",
                        "upstreams[1].password: environment variable EXAMPLE_PW is not set"),
                row(
                        ROBOT
                                + "  - name: x.io\n    url: https://x.io\n    password: ${EXAMPLE_PW\n    username: robot",
                        "upstreams[1].password: unterminated ${ (expected: ${NAME} or ${NAME:-default})"),
                row(
                        ROBOT + "  - name: x.io\n    url: https://x.io\n    username: robot\n    password: ''",
                        "upstreams[1].password: empty (expected: a non-empty password)"),
                row(
                        ROBOT + "  - name: x.io\n    url: https://x.io\n    readTimeout: 0s",
                        "upstreams[1].readTimeout: \"0s\" (expected: positive duration like 500ms, 10s, 5m)"),
                row(
                        ROBOT + "  - name: x.io\n    url: https://x.io\n    manifestTimeout: 0s",
                        "upstreams[1].manifestTimeout: \"0s\" (expected: positive duration like 500ms, 10s, 5m)"),
                row(
                        ROBOT + "  - name: x.io\n    url: https://x.io\n    manifestTimeout: soon",
                        "upstreams[1].manifestTimeout: \"soon\" (expected: positive duration like 500ms, 10s, 5m)"),
                row(
                        ROBOT + "  - name: x.io\n    url: https://x.io\n    authRealmHosts: ['auth x']",
                        "upstreams[1].authRealmHosts[0]: \"auth x\""
                                + " (expected: registry host like ghcr.io or registry.local:5000)"),
                row("offline: yes please", "offline: \"yes please\" (expected: true or false)"),
                row(
                        "limits: {headerTimeout: 0s}",
                        "limits.headerTimeout: \"0s\" (expected: positive duration like 500ms, 10s, 5m)"),
                row("limits: {maxConnections: 0}", "limits.maxConnections: \"0\" (expected: an integer 1-1000000)"),
                row(
                        "limits: {maxConnectionsPerAddress: lots}",
                        "limits.maxConnectionsPerAddress: \"lots\" (expected: an integer 1-1000000)"),
                row("limits: {maxPipelined: 2000}", "limits.maxPipelined: \"2000\" (expected: an integer 1-1024)"),
                row(
                        "limits: {http2: {maxConcurrentStreams: 0}}",
                        "limits.http2.maxConcurrentStreams: \"0\" (expected: an integer 1-10000)"),
                row(
                        "limits: {http2: {maxResets: many}}",
                        "limits.http2.maxResets: \"many\" (expected: an integer 1-1000000)"),
                row(
                        "limits: {http2: {resetWindow: 1500ms}}",
                        "limits.http2.resetWindow: \"1500ms\" (expected: whole seconds like 30s, 1m (at least 1s))"),
                row("limits: {http2: {maxStreams: 5}}", "limits.http2.maxStreams: unknown key"),
                row(
                        "limits: {http2: 100}",
                        "limits.http2: a scalar (expected: a mapping of maxConcurrentStreams, maxResets, resetWindow)"),
                row(
                        ROBOT + "  - name: x.io\n    url: https://x.io\n    offline: maybe",
                        "upstreams[1].offline: \"maybe\" (expected: true or false)"),
                row(
                        ROBOT + "  - name: x.io\n    url: https://x.io\n    maxConcurrent: 0",
                        "upstreams[1].maxConcurrent: \"0\" (expected: an integer 1-1024)"),
                row(
                        ROBOT + "  - name: x.io\n    url: https://x.io\n    maxConcurrent: 2000",
                        "upstreams[1].maxConcurrent: \"2000\" (expected: an integer 1-1024)"),
                row(
                        ROBOT + "  - name: x.io\n    url: https://x.io\n    retries: -1",
                        "upstreams[1].retries: \"-1\" (expected: an integer 0-10)"),
                row(
                        ROBOT + "  - name: x.io\n    url: https://x.io\n    retries: 11",
                        "upstreams[1].retries: \"11\" (expected: an integer 0-10)"),
                row(
                        ROBOT + "  - name: x.io\n    url: https://x.io\n    negativeCacheTtl: soon",
                        "upstreams[1].negativeCacheTtl: \"soon\" (expected: duration like 30s, 5m, 6h, 7d)"),
                row(
                        ROBOT + "  - name: x.io\n    url: https://x.io\n    breaker: {failures: 0}",
                        "upstreams[1].breaker.failures: \"0\" (expected: an integer 1-1000)"),
                row(
                        ROBOT + "  - name: x.io\n    url: https://x.io\n    breaker: {openFor: 0s}",
                        "upstreams[1].breaker.openFor: \"0s\" (expected: positive duration like 500ms, 10s, 5m)"),
                row(
                        ROBOT + "  - name: x.io\n    url: https://x.io\n    breaker: {failure: 3}",
                        "upstreams[1].breaker.failure: unknown key"),
                row(
                        ROBOT + "  - name: x.io\n    url: https://x.io\n    breaker: 5",
                        "upstreams[1].breaker: a scalar (expected: a mapping with failures and openFor)"),
                row(
                        ROBOT + "  - name: x.io\n    url: https://x.io\n    onTagGone: delete",
                        "upstreams[1].onTagGone: \"delete\" (expected: serve or notFound)"),
                row(
                        ROBOT + "  - name: x.io\n    url: https://x.io\n    rateLimitReserve: -1",
                        "upstreams[1].rateLimitReserve: \"-1\" (expected: an integer 0-1000000)"),
                row(
                        "publicUpstreams: false\nupstreams: []",
                        "upstreams: empty list (expected: at least one upstream when publicUpstreams is false)"),
                row(
                        "publicUpstreams: false",
                        "upstreams: missing (expected: at least one upstream when publicUpstreams is false)"),
                row("publicUpstreams: maybe", "publicUpstreams: \"maybe\" (expected: true or false)"),
                row("upstreams: {name: x.io}", "upstreams: a mapping (expected: a list of upstreams)"),
                row(
                        "freshness:\n  - match: 'nginx'\n    tagTtl: 10s",
                        "freshness[0].match: \"nginx\" (expected: \"*\" or \"<repository glob>:<tag glob>\")"),
                row(
                        "freshness:\n  - match: '*'",
                        "freshness[0].tagTtl: missing (expected: duration like 30s, 5m, 6h, 7d)"),
                row(
                        "prewarm:\n  - {upstream: nope, repository: library/nginx, tags: [latest], every: 6h}",
                        "prewarm[0].upstream: \"nope\" (expected: the name or alias of a configured upstream)"),
                row(
                        "prewarm:\n  - {upstream: docker.io, repository: Library/Nginx, tags: [latest], every: 6h}",
                        "prewarm[0].repository: \"Library/Nginx\" (expected: lowercase repository name like"
                                + " library/nginx, or a glob like myteam/* ('*' spans '/'))"),
                row(
                        "prewarm:\n  - {upstream: docker.io, repository: 'team/-*', tags: [latest], every: 6h}",
                        "prewarm[0].repository: \"team/-*\" (expected: lowercase repository name like"
                                + " library/nginx, or a glob like myteam/* ('*' spans '/'))"),
                row(
                        "prewarm:\n  - {upstream: docker.io, repository: nginx, tags: {include: '(['}, every: 6h}",
                        "prewarm[0].tags.include: \"([\" (expected: regular expression: Unclosed character class)"),
                row(
                        "prewarm:\n  - {upstream: docker.io, repository: nginx, tags: {semver: 'one'}, every: 6h}",
                        "prewarm[0].tags.semver: \"one\" (expected: semver range like ~1.27, ^1.2, >=1.2 <2, 1.2.x)"),
                row(
                        "prewarm:\n  - {upstream: docker.io, repository: nginx, tags: {prerelease: true}, every: 6h}",
                        "prewarm[0].tags: selects every tag (expected: at least one of semver, include, newest)"),
                row(
                        "prewarm:\n  - {upstream: docker.io, repository: nginx, tags: 'latest', every: 6h}",
                        "prewarm[0].tags: a scalar (expected: a list of tags or digests, or a mapping with semver, include,"
                                + " exclude, prerelease, newest)"),
                row(
                        "prewarm:\n  - {upstream: docker.io, repository: nginx, tags: [latest], every: 6h,"
                                + " platforms: [amd64]}",
                        "prewarm[0].platforms[0]: \"amd64\" (expected: platform like linux/amd64 or linux/arm/v7)"),
                row("accessLog: ''", "accessLog: empty (expected: stdout, off, or a file path)"),
                row("accessLog: [stdout]", "accessLog: a list (expected: stdout, off, or a file path)"),
                row(
                        "accessLog: /nonexistent-wharf-dir/access.log",
                        "accessLog: \"/nonexistent-wharf-dir/access.log\" (expected: a file in an existing directory)"),
                row("accessLog: /", "accessLog: \"/\" (expected: a file, not a directory)"),
                row(
                        "prewarm:\n  - {upstream: docker.io, repository: nginx, tags: [latest]}",
                        "prewarm[0]: no schedule (expected: exactly one of every, cron, once)"),
                row(
                        "prewarm:\n  - {upstream: docker.io, repository: nginx, tags: [latest], every: 1h, once: true}",
                        "prewarm[0]: more than one schedule (expected: exactly one of every, cron, once)"),
                row(
                        "prewarm:\n  - {upstream: docker.io, repository: nginx, tags: [latest], cron: '0 25 * * *'}",
                        "prewarm[0].cron: \"0 25 * * *\" (expected: five-field cron expression like \"0 3 * * *\")"),
                row(
                        "prewarm:\n  - {upstream: docker.io, repository: nginx, tags: [latest], once: false}",
                        "prewarm[0].once: \"false\" (expected: true)"),
                row(
                        "prewarm:\n  - {name: a, upstream: docker.io, repository: nginx, tags: [latest], once: true}\n"
                                + "  - {name: a, upstream: docker.io, repository: redis, tags: [latest], once: true}",
                        "prewarm[1].name: \"a\" (expected: a name no other prewarm rule has)"),
                row(
                        "prewarm:\n  - {upstream: docker.io, repository: nginx, tags: [latest], once: true}\n"
                                + "  - {upstream: docker.io, repository: library/nginx, tags: ['1'], once: true}",
                        "prewarm[1].name: \"docker.io/library/nginx\" (expected: a name no other prewarm rule has)"),
                row(
                        "prewarm:\n  - {upstream: docker.io, repository: nginx, tags: [latest], once: true, referrers: 1}",
                        "prewarm[0].referrers: \"1\" (expected: true or false)"),
                row(
                        "prewarmDir: /nonexistent-wharf-prewarm.d",
                        "prewarmDir: \"/nonexistent-wharf-prewarm.d\" (expected: an existing directory of *.yaml rule files)"));
    }

    @ParameterizedTest
    @MethodSource("invalidConfigurations")
    void reportsTheExactProblem(String yaml, List<String> expected) {
        ConfigException e =
                assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, Map.of(), Path.of("/etc/wharf")));
        assertEquals(expected, e.problems());
        assertEquals(String.join("\n", expected), e.getMessage());
    }

    private static Arguments row(String yaml, String... problems) {
        return Arguments.of(yaml, List.of(problems));
    }
}
