package dev.wharf.proxy.upstream;

import java.io.InputStream;
import java.net.http.HttpHeaders;

/**
 * The final (non-redirect) answer to one request, with the URI that gave it. {@code body} is the response's body as it
 * is to be read (a stalled read fails after the timeout). {@code atUpstream} is false when a redirect led off the
 * upstream's origin: such an answer is never authenticated against.
 */
record Exchange(
        int status, HttpHeaders headers, InputStream body, String method, String described, boolean atUpstream) {

    /** Reads and drops a bounded amount of the body so the connection can be reused, then closes it. */
    void discard() {
        BoundedBody.discard(body);
    }
}
