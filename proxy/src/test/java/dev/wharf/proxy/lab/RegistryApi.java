package dev.wharf.proxy.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.storage.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The push side of the registry API over {@code java.net.http}, authenticating the way Docker clients do: a 401 on
 * {@code GET /v2/} names Basic or a Bearer realm, and a token for {@code repository:NAME:pull,push} is fetched per
 * repository (with Basic credentials when given).
 */
public final class RegistryApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private final URI base;
    private final Optional<Credentials> credentials;
    private final HttpClient client;
    private final Map<String, Optional<String>> authorizations = new ConcurrentHashMap<>();
    // Guarded by this; null until GET /v2/ has been asked once.
    private Optional<Challenge> challenge;

    /** A client of the registry at {@code base} ({@code http://host:port}), presenting {@code credentials} if any. */
    public RegistryApi(URI base, Optional<Credentials> credentials) {
        this.base = base;
        this.credentials = credentials;
        this.client = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** A client of {@code registry} with the credentials it was started with. */
    public static RegistryApi of(RegistryProcess registry) {
        return new RegistryApi(registry.url(), registry.credentials());
    }

    /** Uploads {@code content} as a blob of {@code repository} in one PUT; returns its digest. */
    public Digest pushBlob(String repository, byte[] content) {
        Digest digest = Digest.sha256(content);
        pushBlob(repository, digest, content.length, HttpRequest.BodyPublishers.ofByteArray(content));
        return digest;
    }

    /** Streams a blob whose digest and size are known in advance; {@code content} is opened once per attempt. */
    public void pushBlob(String repository, Digest digest, long size, Supplier<InputStream> content) {
        pushBlob(
                repository,
                digest,
                size,
                HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(content), size));
    }

    private void pushBlob(String repository, Digest digest, long size, HttpRequest.BodyPublisher body) {
        HttpResponse<String> started = send(
                repository,
                HttpRequest.newBuilder(url("/v2/" + repository + "/blobs/uploads/"))
                        .POST(HttpRequest.BodyPublishers.noBody()));
        expect(started, 202, "start upload of " + digest + " to " + repository);
        String location = started.headers()
                .firstValue("Location")
                .orElseThrow(() -> new IllegalStateException("upload start without Location"));
        URI upload = base.resolve(location);
        String separator = upload.getRawQuery() == null ? "?" : "&";
        URI put = URI.create(
                upload + separator + "digest=" + URLEncoder.encode(digest.toString(), StandardCharsets.UTF_8));
        HttpResponse<String> done = send(
                repository,
                HttpRequest.newBuilder(put)
                        .header("Content-Type", "application/octet-stream")
                        .PUT(body));
        expect(done, 201, "upload of " + digest + " (" + size + " bytes) to " + repository);
    }

    /** PUTs a manifest under {@code reference} (tag or digest) with its media type; returns its digest. */
    public Digest pushManifest(String repository, String reference, String mediaType, byte[] manifest) {
        Digest digest = Digest.sha256(manifest);
        HttpResponse<String> response = send(
                repository,
                HttpRequest.newBuilder(url("/v2/" + repository + "/manifests/" + reference))
                        .header("Content-Type", mediaType)
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)));
        expect(response, 201, "manifest " + repository + ":" + reference);
        String stored = response.headers().firstValue("Docker-Content-Digest").orElse(digest.toString());
        if (!stored.equals(digest.toString())) {
            throw new IllegalStateException("registry stored " + stored + " for a manifest whose digest is " + digest);
        }
        return digest;
    }

    /** An authenticated GET of {@code path} (e.g. {@code /v2/NAME/manifests/REF}) with optional Accept. */
    public HttpResponse<byte[]> get(String repository, String path, String accept) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url(path)).GET();
        if (accept != null) {
            request.header("Accept", accept);
        }
        authorization(repository).ifPresent(value -> request.header("Authorization", value));
        return exchange(request.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpResponse<String> send(String repository, HttpRequest.Builder request) {
        authorization(repository).ifPresent(value -> request.header("Authorization", value));
        return exchange(request.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    }

    private Optional<String> authorization(String repository) {
        return authorizations.computeIfAbsent(repository, this::authorize);
    }

    private Optional<String> authorize(String repository) {
        Optional<Challenge> found = challenge();
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Challenge c = found.get();
        if (c.isBasic()) {
            return Optional.of(credentials
                    .orElseThrow(() -> new IllegalStateException("registry wants Basic credentials; none given"))
                    .basicHeader());
        }
        if (!c.isBearer()) {
            throw new IllegalStateException("unsupported challenge scheme " + c.scheme());
        }
        return Optional.of("Bearer " + fetchToken(c, "repository:" + repository + ":pull,push"));
    }

    private synchronized Optional<Challenge> challenge() {
        Optional<Challenge> known = challenge;
        if (known == null) {
            HttpResponse<String> ping = exchange(
                    HttpRequest.newBuilder(url("/v2/")).timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
            known = ping.statusCode() == 401
                    ? ping.headers().firstValue("WWW-Authenticate").map(Challenge::parse)
                    : Optional.empty();
            challenge = known;
        }
        return known;
    }

    private String fetchToken(Challenge c, String scope) {
        String realm =
                c.parameter("realm").orElseThrow(() -> new IllegalStateException("Bearer challenge without realm"));
        StringBuilder uri = new StringBuilder(realm).append(realm.contains("?") ? '&' : '?');
        c.parameter("service")
                .ifPresent(s -> uri.append("service=")
                        .append(URLEncoder.encode(s, StandardCharsets.UTF_8))
                        .append('&'));
        uri.append("scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(uri.toString())).timeout(TIMEOUT);
        credentials.ifPresent(cr -> request.header("Authorization", cr.basicHeader()));
        HttpResponse<String> response = exchange(request.build(), HttpResponse.BodyHandlers.ofString());
        expect(response, 200, "token for " + scope);
        try {
            JsonNode body = JSON.readTree(response.body());
            JsonNode token = body.hasNonNull("token") ? body.get("token") : body.get("access_token");
            if (token == null) {
                throw new IllegalStateException("token response without token: " + response.body());
            }
            return token.asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private URI url(String path) {
        return base.resolve(path);
    }

    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return client.send(request, handler);
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void expect(HttpResponse<String> response, int status, String what) {
        if (response.statusCode() != status) {
            throw new IllegalStateException(what + ": expected " + status + ", got " + response.statusCode() + " from "
                    + response.request().method() + " " + response.request().uri() + ": " + response.body());
        }
    }
}
