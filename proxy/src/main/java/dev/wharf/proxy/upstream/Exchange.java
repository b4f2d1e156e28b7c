package dev.wharf.proxy.upstream;

import java.io.InputStream;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;

/**
 * The final (non-redirect) answer to one request, with the URI that gave it. {@code body} is the response's body as it
 * is to be read (with the idle timeout). {@code atUpstream} is false when a redirect led off the upstream's origin:
 * such an answer is never authenticated against.
 */
record Exchange(
        HttpResponse<InputStream> response, InputStream body, String method, String described, boolean atUpstream) {

    int status() {
        return response.statusCode();
    }

    HttpHeaders headers() {
        return response.headers();
    }

    /** Reads and drops a bounded amount of the body so the connection can be reused, then closes it. */
    void discard() {
        BoundedBody.discard(body);
    }
}
