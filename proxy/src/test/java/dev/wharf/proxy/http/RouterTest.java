package dev.wharf.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouterTest {
    private static final Map<String, String> HOSTS = Map.of(
            "docker.io", "docker.io",
            "index.docker.io", "docker.io",
            "registry-1.docker.io", "docker.io",
            "ghcr.io", "ghcr.io",
            "localhost:5000", "localhost:5000");

    private final Router router = new Router(host -> Optional.ofNullable(HOSTS.get(host)), "docker.io");

    @ParameterizedTest(name = "{0} -> {1} {2} {3}")
    @CsvSource({
        // root mirror (Docker registry-mirrors): default upstream, library/ added for single names
        "/v2/library/nginx/manifests/latest, docker.io, library/nginx, latest",
        "/v2/nginx/manifests/1.27, docker.io, library/nginx, 1.27",
        "/v2/org/app/manifests/1.0, docker.io, org/app, 1.0",
        // path prefix
        "/v2/ghcr.io/org/app/manifests/1.0, ghcr.io, org/app, 1.0",
        "/v2/docker.io/library/nginx/manifests/latest, docker.io, library/nginx, latest",
        "/v2/docker.io/nginx/manifests/latest, docker.io, library/nginx, latest",
        "/v2/index.docker.io/nginx/manifests/latest, docker.io, library/nginx, latest",
        "/v2/localhost:5000/team/app/manifests/v1, localhost:5000, team/app, v1",
        // containerd ns
        "/v2/org/app/manifests/1.0?ns=ghcr.io, ghcr.io, org/app, 1.0",
        "/v2/library/nginx/manifests/latest?ns=docker.io, docker.io, library/nginx, latest",
        "/v2/library/nginx/manifests/latest?ns=registry-1.docker.io, docker.io, library/nginx, latest",
        "/v2/team/app/manifests/v1?ns=localhost%3A5000, localhost:5000, team/app, v1",
        // prefix and ns together (override_path): no double prefix
        "/v2/ghcr.io/org/app/manifests/1.0?ns=ghcr.io, ghcr.io, org/app, 1.0",
        // a repository whose first component only looks like another upstream keeps it under ns
        "/v2/ghcr.io/org/app/manifests/1.0?ns=docker.io, docker.io, ghcr.io/org/app, 1.0",
    })
    void choosesUpstreamAndRepository(String uri, String upstream, String repository, String reference) {
        Route.Manifest route = assertInstanceOf(Route.Manifest.class, router.route(uri));
        assertEquals(upstream, route.target().upstream());
        assertEquals(repository, route.target().repository().value());
        assertEquals(reference, route.reference().toString());
    }

    @Test
    void base() {
        assertInstanceOf(Route.Base.class, router.route("/v2/"));
        assertInstanceOf(Route.Base.class, router.route("/v2"));
    }

    @Test
    void referrersWithArtifactType() {
        String digest = "sha256:" + "b".repeat(64);
        Route.Referrers route = assertInstanceOf(
                Route.Referrers.class,
                router.route("/v2/ghcr.io/org/app/referrers/" + digest
                        + "?artifactType=application/vnd.example.sig.v1%2Bjson"));
        assertEquals(digest, route.subject().toString());
        assertEquals("org/app", route.target().repository().value());
        assertEquals(Optional.of("application/vnd.example.sig.v1+json"), route.artifactType());
        assertEquals(
                Optional.empty(),
                assertInstanceOf(Route.Referrers.class, router.route("/v2/library/alpine/referrers/" + digest))
                        .artifactType());
        RequestException bad = assertThrows(
                RequestException.class, () -> router.route("/v2/org/app/referrers/" + digest + "?artifactType=x%0Ay"));
        assertEquals(400, bad.status().code());
        assertThrows(RequestException.class, () -> router.route("/v2/org/app/referrers/sha256:abc"));
    }

    @Test
    void blobByDigest() {
        String digest = "sha256:" + "a".repeat(64);
        Route.Blob route = assertInstanceOf(Route.Blob.class, router.route("/v2/ghcr.io/org/app/blobs/" + digest));
        assertEquals(digest, route.digest().toString());
        assertEquals("ghcr.io", route.target().upstream());
    }

    @Test
    void tagsWithPagination() {
        Route.Tags route =
                assertInstanceOf(Route.Tags.class, router.route("/v2/ghcr.io/org/app/tags/list?n=5000&last=v1"));
        assertEquals(Optional.of(1000), route.n(), "n is capped");
        assertEquals(Optional.of("v1"), route.last());
        assertEquals("ghcr.io/org/app", route.requestedName());
        Route.Tags huge =
                assertInstanceOf(Route.Tags.class, router.route("/v2/org/app/tags/list?n=99999999999999999999999"));
        assertEquals(Optional.of(1000), huge.n(), "a number of any length is capped, not refused");
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource({
        "/v2/unknown.example/org/app/manifests/1, 404, NAME_UNKNOWN",
        "/v2/org/app/manifests/1?ns=unknown.example, 404, NAME_UNKNOWN",
        "/v2/Org/app/manifests/1, 400, NAME_INVALID",
        "/v2/org//app/manifests/1, 400, NAME_INVALID",
        "/v2/org/../app/manifests/1, 400, NAME_INVALID",
        "/v2/org/%2e%2e/app/manifests/1, 400, NAME_INVALID",
        "/v2/org\\app/manifests/1, 400, NAME_INVALID",
        "/v2/org/app/manifests/-bad, 400, MANIFEST_INVALID",
        "/v2/org/app/manifests/sha256:ABC, 400, DIGEST_INVALID",
        "/v2/org/app/blobs/sha256:abc, 400, DIGEST_INVALID",
        "/v2/org/app/blobs/md5:d41d8cd98f00b204e9800998ecf8427e, 400, DIGEST_INVALID",
        "/v2/org/app/blobs/latest, 400, DIGEST_INVALID",
        "/v2/org/app/tags/list?n=-1, 400, PAGINATION_NUMBER_INVALID",
        "/v2/org/app/tags/list?n=abc, 400, PAGINATION_NUMBER_INVALID",
        "/v2/org/app/tags/list?n=1.5, 400, PAGINATION_NUMBER_INVALID",
        "/v2/org/app/tags/list?ns=docker.io&ns=ghcr.io, 400, UNSUPPORTED",
        "/v2/_catalog, 404, UNSUPPORTED",
        "/v2/org/app/referrers/sha256:aaaa, 400, DIGEST_INVALID",
        "/other, 404, UNSUPPORTED",
    })
    void refusesBeforeAnyIo(String uri, int status, String code) {
        RequestException e = assertThrows(RequestException.class, () -> router.route(uri));
        assertEquals(status, e.status().code());
        assertEquals(code, e.code());
    }

    @Test
    void refusesOverlongNames() {
        String name = "a/".repeat(128) + "b";
        RequestException e = assertThrows(RequestException.class, () -> router.route("/v2/" + name + "/tags/list"));
        assertEquals("NAME_INVALID", e.code());
    }
}
