package dev.wharf.proxy.prewarm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.config.ConfigLoader;
import dev.wharf.config.TagSelector;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Selectors over tag lists as real projects publish them; every expected selection is written out by hand. */
class TagSelectionTest {
    /** docker.io/library/nginx: releases, partial versions, moving tags, variant suffixes. */
    static final List<String> NGINX = List.of(
            "1",
            "1.25.3",
            "1.25.4",
            "1.25.5",
            "1.26.0",
            "1.26.1",
            "1.26.2",
            "1.26.2-alpine",
            "1.27",
            "1.27-alpine",
            "1.27.0",
            "1.27.1",
            "1.27.2",
            "1.27.2-alpine",
            "1.27.3",
            "1.27.3-alpine",
            "1.27.3-alpine-slim",
            "1.27.3-bookworm",
            "1.27.3-perl",
            "alpine",
            "latest",
            "mainline",
            "stable",
            "stable-alpine");

    /** quay.io/argoproj/argocd: v-prefixed, -rcN pre-releases, cosign signature tags. */
    static final List<String> ARGOCD = List.of(
            "latest",
            "sha256-3f1c5b1e0b7c.sig",
            "v2.12.0",
            "v2.12.7",
            "v2.13.0",
            "v2.13.0-rc1",
            "v2.13.0-rc2",
            "v2.13.1",
            "v2.13.2",
            "v2.14.0-rc1");

    /** registry.k8s.io/kube-apiserver: -alpha.N, -beta.N, -rc.N. */
    static final List<String> KUBE = List.of(
            "v1.30.0", "v1.30.8", "v1.31.0", "v1.31.0-beta.0", "v1.31.0-rc.1", "v1.31.4", "v1.32.0", "v1.32.0-alpha.3");

    /** docker.io/library/redis: partial versions, milestone pre-releases, suffixes. */
    static final List<String> REDIS = List.of(
            "6.2.16", "7", "7.2", "7.2.4", "7.4", "7.4.1", "7.4.1-alpine", "7.4.2", "8.0-M02", "alpine", "latest");

    /** docker.io/library/ubuntu: dated builds and leading-zero versions. */
    static final List<String> UBUNTU = List.of(
            "22.04",
            "24.04",
            "jammy",
            "jammy-20240227",
            "latest",
            "noble",
            "noble-20240904",
            "noble-20241011",
            "noble-20241118.1");

    /** Whatever else a repository holds. */
    static final List<String> GARBAGE = List.of(
            "1.2.3.4",
            "2024-01-15",
            "20240115",
            "buildcache",
            "main",
            "main-0a1b2c",
            "main-3d4e5f",
            "pr-1234",
            "sha256-0123abcd.sig",
            "v1.0.0",
            "latest");

    static Stream<Arguments> table() {
        return Stream.of(
                row(NGINX, "{semver: '~1.27'}", "1.27.3 1.27.2 1.27.1 1.27 1.27.0"),
                row(NGINX, "{semver: '1.27'}", "1.27.3 1.27.2 1.27.1 1.27 1.27.0"),
                row(
                        NGINX,
                        "{semver: '1'}",
                        "1.27.3 1.27.2 1.27.1 1.27 1.27.0 1.26.2 1.26.1 1.26.0 1.25.5 1.25.4 1.25.3 1"),
                row(NGINX, "{semver: '~1.27', newest: 2}", "1.27.3 1.27.2"),
                row(
                        NGINX,
                        "{semver: '1.26.x || 1.27.x', exclude: '^1\\.27\\.[01]$'}",
                        "1.27.3 1.27.2 1.27 1.26.2 1.26.1 1.26.0"),
                row(
                        NGINX,
                        "{include: '^(?<version>\\d+\\.\\d+\\.\\d+)-alpine$', semver: '>=1.27'}",
                        "1.27.3-alpine 1.27.2-alpine"),
                row(
                        NGINX,
                        "{include: '^(?<version>\\d+(\\.\\d+){0,2})-alpine$', semver: '^1.26', newest: 3}",
                        "1.27.3-alpine 1.27.2-alpine 1.27-alpine"),
                row(NGINX, "{include: '-alpine$', newest: 2}", "1.27.3-alpine 1.27.2-alpine"),
                row(NGINX, "{include: '^(stable|mainline)$'}", "stable mainline"),
                row(NGINX, "[1.27.3, latest]", "1.27.3 latest"),
                row(ARGOCD, "{semver: v2.13.x}", "v2.13.2 v2.13.1 v2.13.0"),
                row(ARGOCD, "{semver: v2.13.x, prerelease: true}", "v2.13.2 v2.13.1 v2.13.0 v2.13.0-rc2 v2.13.0-rc1"),
                row(ARGOCD, "{semver: '>=2.12 <2.14', prerelease: true, newest: 2}", "v2.13.2 v2.13.1"),
                row(ARGOCD, "{semver: '^2', prerelease: true, newest: 1}", "v2.14.0-rc1"),
                row(ARGOCD, "{include: '^v\\d+\\.\\d+\\.\\d+(-rc\\d+)?$', newest: 3}", "v2.14.0-rc1 v2.13.2 v2.13.1"),
                row(ARGOCD, "{semver: '~2.13', exclude: '-rc'}", "v2.13.2 v2.13.1 v2.13.0"),
                row(KUBE, "{semver: '~1.31', prerelease: true}", "v1.31.4 v1.31.0 v1.31.0-rc.1 v1.31.0-beta.0"),
                row(KUBE, "{semver: '^1.30'}", "v1.32.0 v1.31.4 v1.31.0 v1.30.8 v1.30.0"),
                row(KUBE, "{semver: '1.30.0 - 1.31', newest: 2}", "v1.31.4 v1.31.0"),
                row(KUBE, "{semver: '>1.31.0 <=1.32'}", "v1.32.0 v1.31.4"),
                row(REDIS, "{semver: '7'}", "7.4.2 7.4.1 7.4 7.2.4 7.2 7"),
                row(REDIS, "{semver: '~7.2'}", "7.2.4 7.2"),
                row(REDIS, "{semver: '>=8', prerelease: true}", "8.0-M02"),
                row(REDIS, "{semver: '>=8'}", ""),
                row(REDIS, "{newest: 3}", "8.0-M02 7.4.2 7.4.1"),
                row(REDIS, "{semver: '*', newest: 2}", "7.4.2 7.4.1"),
                row(UBUNTU, "{include: '^noble-(?<version>\\d{8})', newest: 2}", "noble-20241118.1 noble-20241011"),
                row(UBUNTU, "{semver: '>=22'}", ""),
                row(UBUNTU, "{include: '^(jammy|noble)$'}", "noble jammy"),
                row(GARBAGE, "{semver: '>=1'}", "20240115 v1.0.0"),
                row(GARBAGE, "{semver: '>=1', prerelease: true}", "20240115 2024-01-15 v1.0.0"),
                row(GARBAGE, "{include: '^main-', newest: 1}", "main-3d4e5f"),
                row(GARBAGE, "{include: 'latest|buildcache'}", "latest buildcache"),
                row(
                        GARBAGE,
                        "[v9.9.9, 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef']",
                        "v9.9.9 sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
    }

    @ParameterizedTest(name = "{1} over {0}")
    @MethodSource("table")
    void selects(String project, String tagsYaml, List<String> listed, List<String> expected) {
        assertEquals(expected, TagSelection.select(selector(tagsYaml), listed).selected());
    }

    @Test
    void saysWhyEachOtherTagWasNotSelected() {
        List<String> listed = List.of("v2.12.7", "v2.13.0-rc1", "v2.13.1", "v2.13.2", "latest", "v2.13.0-debug");
        TagSelection.Result result = TagSelection.select(
                selector("{semver: v2.13.x, include: '^v', exclude: '-debug$', newest: 1}"), listed);

        Map<String, String> why = new LinkedHashMap<>();
        why.put("v2.12.7", "outside the semver range");
        why.put("v2.13.0-rc1", "pre-release");
        why.put("latest", "does not match include");
        why.put("v2.13.0-debug", "matches exclude");
        why.put("v2.13.1", "older than the newest 1");
        assertEquals(List.of("v2.13.2"), result.selected());
        assertEquals(why, result.rejected());
    }

    private static Arguments row(List<String> listed, String tagsYaml, String expected) {
        String project = listed == NGINX
                ? "nginx"
                : listed == ARGOCD
                        ? "argocd"
                        : listed == KUBE
                                ? "kube-apiserver"
                                : listed == REDIS ? "redis" : listed == UBUNTU ? "ubuntu" : "misc";
        return Arguments.of(project, tagsYaml, listed, expected.isEmpty() ? List.of() : List.of(expected.split(" ")));
    }

    private static TagSelector selector(String tagsYaml) {
        String yaml = "prewarm:\n  - {upstream: docker.io, repository: x, once: true, tags: " + tagsYaml + "}\n";
        return ConfigLoader.parse(yaml, Map.of(), Path.of("/")).prewarm().get(0).tags();
    }
}
