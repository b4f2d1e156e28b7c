package dev.wharf.proxy.http;

import static io.netty.handler.codec.http.HttpResponseStatus.BAD_REQUEST;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import java.util.Optional;

/**
 * What a request head must satisfy before it is routed (RFC 9112 section 3.2): HTTP/1.0 or HTTP/1.1 only, exactly one
 * {@code Host} header, which HTTP/1.1 requires.
 */
final class RequestChecks {
    private RequestChecks() {}

    /** The refusal for {@code request}, or empty when it may be routed. */
    static Optional<RequestException> refusal(HttpRequest request) {
        HttpVersion version = request.protocolVersion();
        boolean http11 = version.equals(HttpVersion.HTTP_1_1);
        if (!http11 && !version.equals(HttpVersion.HTTP_1_0)) {
            return Optional.of(new RequestException(BAD_REQUEST, "UNSUPPORTED", "unsupported HTTP version"));
        }
        List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1 || http11 && hosts.isEmpty()) {
            return Optional.of(new RequestException(BAD_REQUEST, "UNSUPPORTED", "exactly one Host header required"));
        }
        return Optional.empty();
    }
}
