package dev.wharf.proxy.lab;

import dev.wharf.proxy.upstream.RegistryClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Pulls an image through a running Wharf over its registry API as a client would: the manifest by tag, then every
 * blob by digest, each checked against its digest.
 */
public final class WharfPull {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private WharfPull() {}

    /** The answer to one GET through Wharf: status and body as text. */
    public record Answer(int status, String body) {}

    /** Pulls {@code image} through {@code wharf} as upstream {@code upstream}; throws {@link AssertionError} on failure. */
    public static void pull(RunningWharf wharf, String upstream, SeededImage image) {
        String base = "/v2/" + upstream + "/" + image.repository();
        byte[] manifest =
                getBytes(wharf.url(), base + "/manifests/" + image.tags().get(0), 200);
        check(manifest, image.manifestDigest(), "manifest of " + image.reference());
        for (String blob : image.blobDigests()) {
            check(getBytes(wharf.url(), base + "/blobs/" + blob, 200), blob, "blob " + blob);
        }
    }

    /** GETs {@code image}'s manifest through {@code wharf}, whatever the status. */
    public static Answer manifest(RunningWharf wharf, String upstream, SeededImage image) {
        HttpResponse<byte[]> response = send(
                wharf.url(),
                "/v2/" + upstream + "/" + image.repository() + "/manifests/"
                        + image.tags().get(0));
        return new Answer(response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
    }

    private static byte[] getBytes(URI server, String path, int expected) {
        HttpResponse<byte[]> response = send(server, path);
        if (response.statusCode() != expected) {
            throw new AssertionError("GET " + path + " answered " + response.statusCode() + ": "
                    + new String(response.body(), StandardCharsets.UTF_8));
        }
        return response.body();
    }

    private static HttpResponse<byte[]> send(URI server, String path) {
        try {
            return HTTP.send(
                    HttpRequest.newBuilder(server.resolve(path))
                            .header("Accept", RegistryClient.manifestAcceptHeader())
                            .timeout(Duration.ofSeconds(60))
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new AssertionError("GET " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static void check(byte[] bytes, String digest, String what) {
        var hasher = Hashes.sha256();
        hasher.update(bytes);
        String actual = Hashes.finish(hasher).toString();
        if (!actual.equals(digest)) {
            throw new AssertionError(what + " has digest " + actual + ", expected " + digest);
        }
    }
}
