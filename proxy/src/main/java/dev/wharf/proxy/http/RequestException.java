package dev.wharf.proxy.http;

import io.netty.handler.codec.http.HttpResponseStatus;

/** A request Wharf refuses before doing any I/O: carries the status and OCI error code to answer with. */
final class RequestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient HttpResponseStatus status;
    private final String code;

    RequestException(HttpResponseStatus status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    HttpResponseStatus status() {
        return status;
    }

    String code() {
        return code;
    }
}
