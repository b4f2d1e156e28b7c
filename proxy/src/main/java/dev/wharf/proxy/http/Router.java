package dev.wharf.proxy.http;

import static io.netty.handler.codec.http.HttpResponseStatus.BAD_REQUEST;
import static io.netty.handler.codec.http.HttpResponseStatus.NOT_FOUND;

import dev.wharf.config.Defaults;
import dev.wharf.proxy.pull.Reference;
import dev.wharf.proxy.pull.Target;
import dev.wharf.storage.Digest;
import dev.wharf.storage.RepositoryName;
import dev.wharf.storage.Tag;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a raw request URI into a {@link Route}, choosing the upstream by path prefix, containerd's {@code ns}
 * parameter, or the default upstream. Everything is validated here, before any I/O: an invalid name, reference or
 * unknown upstream never reaches the pull layer.
 */
final class Router {

    private static final Pattern BLOB_OR_MANIFEST = Pattern.compile("^/v2/(.+)/(manifests|blobs)/([^/]+)$");
    private static final Pattern TAGS = Pattern.compile("^/v2/(.+)/tags/list$");
    private static final Pattern REFERRERS = Pattern.compile("^/v2/(.+)/referrers/([^/]+)$");
    // A media type (RFC 6838 names), as an artifactType filter must be; anything else never reaches the pull layer.
    private static final Pattern MEDIA_TYPE =
            Pattern.compile("^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$");
    private static final int MAX_TAG_PAGE = 1000;

    private final Function<String, Optional<String>> upstreamByHost;
    private final String defaultUpstream;

    /**
     * @param upstreamByHost maps a name or alias (as a client writes it: {@code ghcr.io}, {@code index.docker.io})
     *     to the configured upstream's name; empty when no upstream has that name
     * @param defaultUpstream the upstream that requests without prefix or {@code ns} reach
     */
    Router(Function<String, Optional<String>> upstreamByHost, String defaultUpstream) {
        this.upstreamByHost = upstreamByHost;
        this.defaultUpstream = defaultUpstream;
    }

    /** The route of {@code rawUri}; throws {@link RequestException} for anything invalid or unknown. */
    Route route(String rawUri) {
        int q = rawUri.indexOf('?');
        String path = q < 0 ? rawUri : rawUri.substring(0, q);
        checkRawPath(path);
        Map<String, List<String>> query = q < 0 ? Map.of() : query(rawUri.substring(q));
        if (path.equals("/v2/") || path.equals("/v2")) {
            return new Route.Base();
        }
        Optional<String> ns = single(query, "ns");
        Matcher m = BLOB_OR_MANIFEST.matcher(path);
        if (m.matches()) {
            Target target = target(m.group(1), ns);
            String ref = m.group(3);
            if (m.group(2).equals("blobs")) {
                return new Route.Blob(target, digest(ref));
            }
            return new Route.Manifest(target, reference(ref));
        }
        m = REFERRERS.matcher(path);
        if (m.matches()) {
            return new Route.Referrers(target(m.group(1), ns), digest(m.group(2)), artifactType(query));
        }
        m = TAGS.matcher(path);
        if (m.matches()) {
            return new Route.Tags(target(m.group(1), ns), m.group(1), pageSize(query), last(query));
        }
        throw new RequestException(NOT_FOUND, "UNSUPPORTED", "unknown endpoint");
    }

    /** The parameters of {@code rawQuery} (from its {@code ?}); a malformed percent-escape is a bad request. */
    private static Map<String, List<String>> query(String rawQuery) {
        try {
            return new QueryStringDecoder(rawQuery, false).parameters();
        } catch (IllegalArgumentException e) {
            throw new RequestException(BAD_REQUEST, "UNSUPPORTED", "malformed query string");
        }
    }

    private static void checkRawPath(String path) {
        if (!path.startsWith("/v2")) {
            throw new RequestException(NOT_FOUND, "UNSUPPORTED", "unknown endpoint");
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            // No valid name, tag or digest contains these: refusing them raw kills encoded traversal early.
            if (c == '%' || c == '\\' || c < 0x21 || c > 0x7e) {
                throw new RequestException(BAD_REQUEST, "NAME_INVALID", "invalid character in path");
            }
        }
    }

    private Target target(String name, Optional<String> ns) {
        int slash = name.indexOf('/');
        String first = slash < 0 ? name : name.substring(0, slash);
        String rest = slash < 0 ? "" : name.substring(slash + 1);
        String upstream;
        String repository;
        if (ns.isPresent()) {
            upstream = upstreamByHost
                    .apply(ns.get())
                    .orElseThrow(() -> new RequestException(NOT_FOUND, "NAME_UNKNOWN", "unknown upstream"));
            // override_path mirrors send the prefix and ns together: strip the prefix once, never twice.
            boolean prefixed = slash > 0
                    && upstreamByHost.apply(first).filter(upstream::equals).isPresent();
            repository = prefixed ? rest : name;
        } else if (slash > 0 && looksLikeHost(first)) {
            upstream = upstreamByHost
                    .apply(first)
                    .orElseThrow(() -> new RequestException(NOT_FOUND, "NAME_UNKNOWN", "unknown upstream"));
            repository = rest;
        } else {
            upstream = defaultUpstream;
            repository = name;
        }
        if (upstream.equals(Defaults.DOCKER_HUB) && repository.indexOf('/') < 0) {
            repository = "library/" + repository;
        }
        try {
            return new Target(upstream, RepositoryName.parse(repository));
        } catch (IllegalArgumentException e) {
            throw new RequestException(BAD_REQUEST, "NAME_INVALID", "invalid repository name");
        }
    }

    /** Docker's rule for the first component of an image name: a registry host has a dot or a port, or is localhost. */
    private boolean looksLikeHost(String component) {
        return component.indexOf('.') >= 0
                || component.indexOf(':') >= 0
                || component.equals("localhost")
                || upstreamByHost.apply(component).isPresent();
    }

    private static Reference reference(String text) {
        try {
            return Reference.parse(text);
        } catch (IllegalArgumentException e) {
            boolean digest = text.indexOf(':') >= 0;
            throw new RequestException(
                    BAD_REQUEST,
                    digest ? "DIGEST_INVALID" : "MANIFEST_INVALID",
                    digest ? "invalid digest" : "invalid tag");
        }
    }

    private static Digest digest(String text) {
        try {
            return Digest.parse(text);
        } catch (IllegalArgumentException e) {
            throw new RequestException(BAD_REQUEST, "DIGEST_INVALID", "invalid digest");
        }
    }

    private static Optional<String> artifactType(Map<String, List<String>> query) {
        Optional<String> type = single(query, "artifactType");
        if (type.isPresent() && !MEDIA_TYPE.matcher(type.get()).matches()) {
            throw new RequestException(BAD_REQUEST, "UNSUPPORTED", "artifactType must be a media type");
        }
        return type;
    }

    private static Optional<Integer> pageSize(Map<String, List<String>> query) {
        Optional<String> n = single(query, "n");
        if (n.isEmpty()) {
            return Optional.empty();
        }
        String text = n.get();
        if (text.isEmpty() || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new RequestException(BAD_REQUEST, "PAGINATION_NUMBER_INVALID", "n must be a number from 0");
        }
        // Never allocate by a client's number: the page is capped, however many digits it has.
        return Optional.of(text.length() > 9 ? MAX_TAG_PAGE : Math.min(Integer.parseInt(text), MAX_TAG_PAGE));
    }

    private static Optional<String> last(Map<String, List<String>> query) {
        Optional<String> last = single(query, "last");
        last.ifPresent(value -> {
            try {
                Tag.parse(value);
            } catch (IllegalArgumentException e) {
                throw new RequestException(BAD_REQUEST, "PAGINATION_NUMBER_INVALID", "last must be a tag");
            }
        });
        return last;
    }

    private static Optional<String> single(Map<String, List<String>> query, String key) {
        List<String> values = query.get(key);
        if (values == null || values.isEmpty()) {
            return Optional.empty();
        }
        if (values.size() > 1) {
            throw new RequestException(BAD_REQUEST, "UNSUPPORTED", "parameter " + key + " given more than once");
        }
        return Optional.of(values.get(0));
    }
}
