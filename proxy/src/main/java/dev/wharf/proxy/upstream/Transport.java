package dev.wharf.proxy.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import javax.net.ssl.HttpsURLConnection;

/**
 * Sends GET and HEAD requests to one upstream and follows redirects itself: at most {@value #MAX_REDIRECTS} hops,
 * never from https to http, never to a loopback, link-local or private address unless the upstream itself has one
 * ({@link RedirectGuard}), and {@code Authorization} is dropped for good once a hop leaves the upstream's origin
 * (the JDK client would forward it). No cookies are ever sent, and bodies are asked for without content coding.
 * Each request names its timeout (the caller picks the read timeout for blobs and the manifest timeout for the rest):
 * response headers must arrive within it, and every body read within it of the last byte; either failure is {@link
 * UpstreamException#timedOut()}. Bodies are read one of two ways ({@link Body}).
 */
final class Transport {
    static final int MAX_REDIRECTS = 5;
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

    /**
     * How a response body is read. {@code SMALL} (manifests, tag lists, tokens): through the JDK client, whose body
     * reads wait at most the timeout (see {@link IdleTimeoutBody}). {@code LARGE} (blobs): straight from the socket
     * into the reader's buffer, the kernel's socket buffer reading ahead, each read waiting at most the timeout (see
     * {@link StreamedBody}); the JDK client's own read-ahead costs more CPU and stalls the sender when its few queued
     * buffers are full.
     */
    enum Body {
        SMALL,
        LARGE
    }

    private final HttpClient http;
    private final String upstream;
    private final Origin home;
    private final Duration connectTimeout;
    private final String userAgent;
    private final ScheduledExecutorService watchdog;
    private final Optional<UpstreamSsl> ssl;
    private final RedirectGuard guard;

    Transport(
            HttpClient http,
            UpstreamSettings settings,
            Optional<UpstreamSsl> ssl,
            String userAgent,
            ScheduledExecutorService watchdog) {
        this.http = http;
        this.ssl = ssl;
        this.upstream = settings.name();
        this.home = Origin.of(settings.baseUrl());
        this.guard = RedirectGuard.system(settings.baseUrl());
        this.connectTimeout = settings.connectTimeout();
        this.userAgent = userAgent;
        this.watchdog = watchdog;
    }

    /**
     * Sends {@code method} to {@code uri}, following redirects, each hop within {@code timeout}, its body read as
     * {@code body} says; never a redirect.
     */
    Exchange send(
            String method,
            URI uri,
            Optional<String> authorization,
            Optional<String> accept,
            Duration timeout,
            Body body) {
        URI current = uri;
        Optional<String> auth = authorization;
        for (int hop = 0; ; hop++) {
            boolean atUpstream = Origin.of(current).equals(home);
            if (!atUpstream) {
                auth = Optional.empty();
            }
            Exchange exchange = sendOnce(method, current, auth, accept, timeout, body, atUpstream);
            if (!REDIRECTS.contains(exchange.status())) {
                return exchange;
            }
            exchange.discard();
            if (hop == MAX_REDIRECTS) {
                throw protocol(method, current, "more than " + MAX_REDIRECTS + " redirects");
            }
            current = redirectTarget(method, current, exchange);
        }
    }

    /** Sends one request to any URI without following redirects; for token requests to an approved realm. */
    Exchange sendDirect(
            String method, URI uri, Optional<String> authorization, Optional<String> accept, Duration timeout) {
        Exchange exchange = sendOnce(
                method,
                uri,
                authorization,
                accept,
                timeout,
                Body.SMALL,
                Origin.of(uri).equals(home));
        if (REDIRECTS.contains(exchange.status())) {
            exchange.discard();
            throw protocol(method, uri, "token endpoint redirected");
        }
        return exchange;
    }

    /**
     * POSTs an {@code application/x-www-form-urlencoded} {@code form} to an approved token realm without following
     * redirects: the OAuth2 grant for an identity token, whose secret travels in the body, never in the URI.
     */
    Exchange postForm(URI uri, String form, Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .version(HttpClient.Version.HTTP_1_1)
                .timeout(timeout)
                .POST(HttpRequest.BodyPublishers.ofString(form, StandardCharsets.UTF_8))
                .header("User-Agent", userAgent)
                .header("Accept-Encoding", "identity")
                .header("Accept", "application/json")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .build();
        try {
            HttpResponse<InputStream> response = http.send(request, ReadAheadBody.handler());
            InputStream body = new IdleTimeoutBody(response.body(), timeout, prefix("POST", uri), watchdog);
            Exchange exchange = new Exchange(
                    response.statusCode(),
                    response.headers(),
                    body,
                    "POST",
                    describe(uri),
                    Origin.of(uri).equals(home));
            if (REDIRECTS.contains(exchange.status())) {
                exchange.discard();
                throw protocol("POST", uri, "token endpoint redirected");
            }
            return exchange;
        } catch (IOException e) {
            throw new UpstreamException(
                    UpstreamException.Kind.UNAVAILABLE,
                    0,
                    Optional.empty(),
                    prefix("POST", uri) + " failed: " + FailureCause.of(e),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamException(UpstreamException.Kind.UNAVAILABLE, prefix("POST", uri) + " interrupted");
        }
    }

    /** A path when {@code uri} is on the upstream, otherwise only its origin: never a query string. */
    String describe(URI uri) {
        Origin origin = Origin.of(uri);
        return origin.equals(home) ? uri.getRawPath() : origin.toString();
    }

    private Exchange sendOnce(
            String method,
            URI uri,
            Optional<String> authorization,
            Optional<String> accept,
            Duration timeout,
            Body body,
            boolean atUpstream) {
        try {
            return body == Body.LARGE
                    ? sendStreamed(method, uri, authorization, accept, timeout, atUpstream)
                    : sendBuffered(method, uri, authorization, accept, timeout, atUpstream);
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
                    prefix(method, uri) + " failed: " + FailureCause.of(e),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamException(UpstreamException.Kind.UNAVAILABLE, prefix(method, uri) + " interrupted");
        }
    }

    private Exchange sendBuffered(
            String method,
            URI uri,
            Optional<String> authorization,
            Optional<String> accept,
            Duration timeout,
            boolean atUpstream)
            throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .version(HttpClient.Version.HTTP_1_1)
                .timeout(timeout)
                .method(method, HttpRequest.BodyPublishers.noBody())
                .header("User-Agent", userAgent)
                .header("Accept-Encoding", "identity");
        accept.ifPresent(value -> builder.header("Accept", value));
        authorization.ifPresent(value -> builder.header("Authorization", value));
        HttpResponse<InputStream> response = http.send(builder.build(), ReadAheadBody.handler());
        InputStream body = new IdleTimeoutBody(response.body(), timeout, prefix(method, uri), watchdog);
        return new Exchange(response.statusCode(), response.headers(), body, method, describe(uri), atUpstream);
    }

    /**
     * The JDK's plain connection: no proxy, no redirects followed, no caches; it consults no authenticator or cookie
     * handler since none is installed. Its keep-alive pool takes back connections whose body was read to the end.
     */
    private Exchange sendStreamed(
            String method,
            URI uri,
            Optional<String> authorization,
            Optional<String> accept,
            Duration timeout,
            boolean atUpstream)
            throws IOException {
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
        connection.setInstanceFollowRedirects(false);
        if (connection instanceof HttpsURLConnection https && ssl.isPresent()) {
            // The same trust and client certificate as the JDK client's, for blob bodies.
            https.setSSLSocketFactory(ssl.get().context().getSocketFactory());
            if (ssl.get().insecureSkipVerify()) {
                https.setHostnameVerifier((host, session) -> true);
            }
        }
        connection.setUseCaches(false);
        connection.setConnectTimeout(Math.toIntExact(Math.max(1, connectTimeout.toMillis())));
        connection.setReadTimeout(Math.toIntExact(Math.max(1, timeout.toMillis())));
        connection.setRequestMethod(method);
        connection.setRequestProperty("User-Agent", userAgent);
        connection.setRequestProperty("Accept-Encoding", "identity");
        connection.setRequestProperty("Accept", accept.orElse("*/*"));
        authorization.ifPresent(value -> connection.setRequestProperty("Authorization", value));
        int status;
        try {
            status = connection.getResponseCode();
        } catch (IOException e) {
            connection.disconnect();
            throw e;
        }
        Map<String, List<String>> fields = new HashMap<>();
        connection.getHeaderFields().forEach((name, values) -> {
            if (name != null) {
                fields.put(name, values);
            }
        });
        InputStream raw = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
        InputStream body = new StreamedBody(
                connection, raw == null ? InputStream.nullInputStream() : raw, timeout, prefix(method, uri));
        return new Exchange(
                status, HttpHeaders.of(fields, (name, value) -> true), body, method, describe(uri), atUpstream);
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

    private URI redirectTarget(String method, URI from, Exchange exchange) {
        String location = exchange.headers()
                .firstValue("Location")
                .orElseThrow(() -> protocol(method, from, "redirect without Location"));
        try {
            URI target = resolveRedirect(from, location);
            guard.check(target);
            return target;
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
