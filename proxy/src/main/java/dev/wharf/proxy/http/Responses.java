package dev.wharf.proxy.http;

import dev.wharf.proxy.pull.Manifest;
import dev.wharf.proxy.pull.Referrers;
import dev.wharf.storage.Digest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/** Builds the read API's responses: headers exactly as the distribution spec and its clients expect them. */
final class Responses {
    static final String API_VERSION_HEADER = "Docker-Distribution-API-Version";
    static final String DIGEST_HEADER = "Docker-Content-Digest";
    static final String JSON = "application/json";
    static final String WARNING_HEADER = "Warning";

    private Responses() {}

    /** {@code GET /v2/}: 200 and an empty JSON object. */
    static FullHttpResponse base(boolean head) {
        return json(HttpResponseStatus.OK, "{}", head);
    }

    /** A manifest's exact bytes with its media type and digest, and a {@code Warning} when it is served stale. */
    static FullHttpResponse manifest(Manifest manifest, boolean head) {
        ByteBuf body = head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(manifest.bytes());
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
        HttpHeaders h = response.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, manifest.mediaType());
        h.set(HttpHeaderNames.CONTENT_LENGTH, manifest.bytes().length);
        h.set(DIGEST_HEADER, manifest.digest().toString());
        h.set(HttpHeaderNames.ETAG, "\"" + manifest.digest() + "\"");
        h.set(API_VERSION_HEADER, "registry/2.0");
        manifest.staleWarning().ifPresent(w -> h.set(WARNING_HEADER, "299 - " + quote(w)));
        return response;
    }

    /**
     * A referrers index: 200 with the OCI index media type, {@code OCI-Filters-Applied: artifactType} when it was
     * narrowed, and a {@code Warning} when served stale.
     */
    static FullHttpResponse referrers(Referrers referrers, boolean head) {
        byte[] bytes = referrers.body();
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.OK,
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
        HttpHeaders h = response.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, Referrers.MEDIA_TYPE);
        h.set(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        h.set(API_VERSION_HEADER, "registry/2.0");
        if (referrers.filtered()) {
            h.set("OCI-Filters-Applied", "artifactType");
        }
        referrers.staleWarning().ifPresent(w -> h.set(WARNING_HEADER, "299 - " + quote(w)));
        return response;
    }

    /** The head of a blob answer: 200 for the whole blob, 206 with {@code Content-Range} for a range. */
    static HttpResponse blob(Digest digest, long size, Optional<ByteRange> range) {
        HttpResponse response = new DefaultHttpResponse(
                HttpVersion.HTTP_1_1, range.isPresent() ? HttpResponseStatus.PARTIAL_CONTENT : HttpResponseStatus.OK);
        HttpHeaders h = response.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream");
        h.set(HttpHeaderNames.CONTENT_LENGTH, range.map(ByteRange::length).orElse(size));
        range.ifPresent(r -> h.set(HttpHeaderNames.CONTENT_RANGE, r.contentRange(size)));
        h.set(HttpHeaderNames.ACCEPT_RANGES, "bytes");
        h.set(DIGEST_HEADER, digest.toString());
        h.set(HttpHeaderNames.ETAG, "\"" + digest + "\"");
        h.set(API_VERSION_HEADER, "registry/2.0");
        return response;
    }

    /** A redirect of a blob GET to where the store serves it (a presigned URL); the location is never logged. */
    static FullHttpResponse redirect(Digest digest, URI location) {
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.TEMPORARY_REDIRECT, Unpooled.EMPTY_BUFFER);
        HttpHeaders h = response.headers();
        h.set(HttpHeaderNames.LOCATION, location.toString());
        h.set(HttpHeaderNames.CONTENT_LENGTH, 0);
        h.set(DIGEST_HEADER, digest.toString());
        h.set(API_VERSION_HEADER, "registry/2.0");
        return response;
    }

    /** A tag list page, {@code {"name":..,"tags":[..]}}, with a {@code Link} header when more follow. */
    static FullHttpResponse tags(String name, List<String> tags, Optional<String> link, boolean head) {
        StringBuilder json = new StringBuilder("{\"name\":").append(quote(name)).append(",\"tags\":[");
        for (int i = 0; i < tags.size(); i++) {
            json.append(i == 0 ? "" : ",").append(quote(tags.get(i)));
        }
        json.append("]}");
        FullHttpResponse response = json(HttpResponseStatus.OK, json.toString(), head);
        link.ifPresent(l -> response.headers().set("Link", l));
        return response;
    }

    /** An OCI error body {@code {"errors":[{"code","message","detail"}]}}. */
    static FullHttpResponse error(ErrorMapper.OciError error, boolean head) {
        String body = "{\"errors\":[{\"code\":" + quote(error.code()) + ",\"message\":" + quote(error.message())
                + ",\"detail\":null}]}";
        FullHttpResponse response = json(error.status(), body, head);
        error.retryAfter()
                .ifPresent(d -> response.headers().set(HttpHeaderNames.RETRY_AFTER, Math.max(1, d.toSeconds())));
        return response;
    }

    private static FullHttpResponse json(HttpResponseStatus status, String json, boolean head) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, status, head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, JSON);
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        response.headers().set(API_VERSION_HEADER, "registry/2.0");
        return response;
    }

    /** JSON string literal; names, tags and our own messages are ASCII, but escape defensively. */
    private static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
