package dev.wharf.proxy.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Sends GET and HEAD requests to one upstream and follows redirects itself: at most {@value #MAX_REDIRECTS} hops,
 * never from https to http, and {@code Authorization} is dropped for good once a hop leaves the upstream's origin
 * (the JDK client would forward it). No cookies are ever sent, and bodies are asked for without content coding.
 * Each request names its timeout (the caller picks the read timeout for blobs and the manifest timeout for the rest):
 * response headers must arrive within it, and every body read within it of the last byte (see {@link
 * IdleTimeoutBody}); either failure is {@link UpstreamException#timedOut()}.
 */
final class Transport {
    static final int MAX_REDIRECTS = 5;
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

    private final HttpClient http;
    private final String upstream;
    private final Origin home;
    private final String userAgent;
    private final ScheduledExecutorService watchdog;

    Transport(HttpClient http, UpstreamSettings settings, String userAgent, ScheduledExecutorService watchdog) {
        this.http = http;
        this.upstream = settings.name();
        this.home = Origin.of(settings.baseUrl());
        this.userAgent = userAgent;
        this.watchdog = watchdog;
    }

    /** Sends {@code method} to {@code uri}, following redirects, each hop within {@code timeout}; never a redirect. */
    Exchange send(String method, URI uri, Optional<String> authorization, Optional<String> accept, Duration timeout) {
        URI current = uri;
        Optional<String> auth = authorization;
        for (int hop = 0; ; hop++) {
            boolean atUpstream = Origin.of(current).equals(home);
            if (!atUpstream) {
                auth = Optional.empty();
            }
            HttpResponse<InputStream> response = sendOnce(method, current, auth, accept, timeout);
            Exchange exchange = exchange(response, method, current, atUpstream, timeout);
            if (!REDIRECTS.contains(response.statusCode())) {
                return exchange;
            }
            exchange.discard();
            if (hop == MAX_REDIRECTS) {
                throw protocol(method, current, "more than " + MAX_REDIRECTS + " redirects");
            }
            current = redirectTarget(method, current, response);
        }
    }

    /** Sends one request to any URI without following redirects; for token requests to an approved realm. */
    Exchange sendDirect(
            String method, URI uri, Optional<String> authorization, Optional<String> accept, Duration timeout) {
        HttpResponse<InputStream> response = sendOnce(method, uri, authorization, accept, timeout);
        Exchange exchange = exchange(response, method, uri, Origin.of(uri).equals(home), timeout);
        if (REDIRECTS.contains(response.statusCode())) {
            exchange.discard();
            throw protocol(method, uri, "token endpoint redirected");
        }
        return exchange;
    }

    /** A path when {@code uri} is on the upstream, otherwise only its origin: never a query string. */
    String describe(URI uri) {
        Origin origin = Origin.of(uri);
        return origin.equals(home) ? uri.getRawPath() : origin.toString();
    }

    private Exchange exchange(
            HttpResponse<InputStream> response, String method, URI uri, boolean atUpstream, Duration timeout) {
        InputStream body = new IdleTimeoutBody(response.body(), timeout, prefix(method, uri), watchdog);
        return new Exchange(response, body, method, describe(uri), atUpstream);
    }

    private HttpResponse<InputStream> sendOnce(
            String method, URI uri, Optional<String> authorization, Optional<String> accept, Duration timeout) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .version(HttpClient.Version.HTTP_1_1)
                .timeout(timeout)
                .method(method, HttpRequest.BodyPublishers.noBody())
                .header("User-Agent", userAgent)
                .header("Accept-Encoding", "identity");
        accept.ifPresent(value -> builder.header("Accept", value));
        authorization.ifPresent(value -> builder.header("Authorization", value));
        try {
            return http.send(builder.build(), ReadAheadBody.handler());
        } catch (IOException e) {
            if (isTimeout(e)) {
                // Connect timeout, or no response headers in time.
                throw UpstreamException.timeout(
                        0, prefix(method, uri) + " timed out: " + e.getClass().getSimpleName(), e);
            }
            throw new UpstreamException(
                    UpstreamException.Kind.UNAVAILABLE,
                    0,
                    Optional.empty(),
                    prefix(method, uri) + " failed: " + e.getClass().getSimpleName(),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamException(UpstreamException.Kind.UNAVAILABLE, prefix(method, uri) + " interrupted");
        }
    }

    /** True when {@code failure} or any cause is a timeout: a connect timeout may come wrapped in another exception. */
    private static boolean isTimeout(IOException failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof HttpTimeoutException || t instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    private URI redirectTarget(String method, URI from, HttpResponse<InputStream> response) {
        String location = response.headers()
                .firstValue("Location")
                .orElseThrow(() -> protocol(method, from, "redirect without Location"));
        try {
            return resolveRedirect(from, location);
        } catch (IllegalArgumentException e) {
            throw protocol(method, from, e.getMessage());
        }
    }

    /**
     * The absolute target of a redirect from {@code from}, without fragment; {@link IllegalArgumentException} with a
     * reason (never the location itself) when it is invalid, not http(s), carries user info or downgrades https.
     */
    static URI resolveRedirect(URI from, String location) {
        URI target;
        try {
            String resolved = from.resolve(new URI(location.trim())).toString();
            int fragment = resolved.indexOf('#');
            target = new URI(fragment < 0 ? resolved : resolved.substring(0, fragment));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new IllegalArgumentException("redirect to an invalid Location");
        }
        String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")
                || target.getHost() == null
                || target.getRawUserInfo() != null) {
            throw new IllegalArgumentException("redirect to an unsupported Location");
        }
        if (from.getScheme().equalsIgnoreCase("https") && scheme.equals("http")) {
            throw new IllegalArgumentException("redirect from https to http refused");
        }
        return target;
    }

    private String prefix(String method, URI uri) {
        return "upstream " + upstream + ": " + method + " " + describe(uri);
    }

    private UpstreamException protocol(String method, URI uri, String what) {
        return new UpstreamException(UpstreamException.Kind.PROTOCOL, prefix(method, uri) + ": " + what);
    }
}
