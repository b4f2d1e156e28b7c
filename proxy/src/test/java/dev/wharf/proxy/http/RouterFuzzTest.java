package dev.wharf.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.wharf.proxy.pull.Target;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The request route parser on any request target a client can send (the corpus under {@code RouterFuzzTestInputs}:
 * real requests of Docker, containerd, skopeo and broken variants). Run by every build on the corpus; {@code
 * bench/fuzz.sh} runs it coverage-guided.
 */
class RouterFuzzTest {
    private static final Map<String, String> UPSTREAMS = Map.of(
            "docker.io", "docker.io",
            "index.docker.io", "docker.io",
            "registry-1.docker.io", "docker.io",
            "ghcr.io", "ghcr.io",
            "quay.io", "quay.io",
            "mirror", "mirror");
    private static final Set<String> NAMES = Set.copyOf(UPSTREAMS.values());
    /** The error codes of the distribution specification a refused route may carry. */
    private static final Set<String> OCI_CODES = Set.of(
            "NAME_INVALID",
            "NAME_UNKNOWN",
            "DIGEST_INVALID",
            "MANIFEST_INVALID",
            "MANIFEST_UNKNOWN",
            "PAGINATION_NUMBER_INVALID",
            "UNSUPPORTED");

    private final Router router = new Router(host -> Optional.ofNullable(UPSTREAMS.get(host)), "docker.io");

    /**
     * A request target is routed or refused with a 4xx and an OCI error code, never another exception; a route names a
     * configured upstream, came from a path of the characters a name, tag or digest may hold, and renders back to a
     * request (path prefix form, and {@code ns} form where unambiguous) that routes to the same place.
     */
    @FuzzTest
    void routesOrRefuses(byte[] input) {
        String uri = new String(input, StandardCharsets.UTF_8);
        Route route;
        try {
            route = router.route(uri);
        } catch (RequestException refused) {
            int status = refused.status().code();
            assertTrue(status >= 400 && status < 500, () -> "status " + status + " for " + printable(uri));
            assertTrue(OCI_CODES.contains(refused.code()), () -> refused.code() + " for " + printable(uri));
            return;
        }
        String path = uri.indexOf('?') < 0 ? uri : uri.substring(0, uri.indexOf('?'));
        assertTrue(
                path.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '%' && c != '\\'),
                () -> "routed a path with a character no name holds: " + printable(uri));
        if (route instanceof Route.Base) {
            assertTrue(path.equals("/v2/") || path.equals("/v2"), printable(uri));
            return;
        }
        Target target = target(route);
        assertTrue(NAMES.contains(target.upstream()), () -> "unconfigured upstream for " + printable(uri));
        for (String rendered : renderings(route)) {
            assertEquals(
                    expectedAfterRendering(route, rendered),
                    router.route(rendered),
                    () -> printable(uri) + " rendered as " + rendered);
        }
    }

    private static Target target(Route route) {
        if (route instanceof Route.Manifest m) {
            return m.target();
        }
        if (route instanceof Route.Blob b) {
            return b.target();
        }
        if (route instanceof Route.Referrers r) {
            return r.target();
        }
        return ((Route.Tags) route).target();
    }

    /** The route as request targets: the path prefix form, and the {@code ns} form unless the name starts with a host. */
    private static List<String> renderings(Route route) {
        Target target = target(route);
        String rest = endpoint(route);
        List<String> forms = new ArrayList<>();
        forms.add("/v2/" + target.upstream() + "/" + target.repository() + rest);
        if (!UPSTREAMS.containsKey(target.repository().firstComponent())) {
            String separator = rest.indexOf('?') < 0 ? "?" : "&";
            forms.add("/v2/" + target.repository() + rest + separator + "ns=" + target.upstream());
        }
        return forms;
    }

    private static String endpoint(Route route) {
        if (route instanceof Route.Manifest m) {
            return "/manifests/" + m.reference();
        }
        if (route instanceof Route.Blob b) {
            return "/blobs/" + b.digest();
        }
        if (route instanceof Route.Referrers r) {
            return "/referrers/" + r.subject()
                    + r.artifactType().map(t -> "?artifactType=" + encode(t)).orElse("");
        }
        Route.Tags t = (Route.Tags) route;
        List<String> query = new ArrayList<>();
        t.n().ifPresent(n -> query.add("n=" + n));
        t.last().ifPresent(last -> query.add("last=" + encode(last)));
        return "/tags/list" + (query.isEmpty() ? "" : "?" + String.join("&", query));
    }

    /** The same route; a tag list keeps the name as the client wrote it, so that part follows the rendering. */
    private static Route expectedAfterRendering(Route route, String rendered) {
        if (route instanceof Route.Tags t) {
            String name = rendered.substring("/v2/".length(), rendered.lastIndexOf("/tags/list"));
            return new Route.Tags(t.target(), name, t.n(), t.last());
        }
        return route;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    static String printable(String s) {
        StringBuilder out = new StringBuilder();
        s.codePoints().forEach(c -> {
            if (c >= 0x20 && c < 0x7f) {
                out.appendCodePoint(c);
            } else {
                out.append(String.format("\\u{%x}", c));
            }
        });
        return out.toString();
    }
}
