package dev.wharf.proxy.http;

import java.net.SocketAddress;

/** Receives one entry per answered request, from an event loop: implementations must never block. */
public interface AccessLog {
    /** Records nothing. */
    AccessLog OFF = entry -> {};

    /** Takes {@code entry}; returns at once. */
    void record(Entry entry);

    /**
     * One answered request.
     *
     * @param epochMillis when the response ended (its last byte was written, or the connection failed)
     * @param remote the client's address (logged without the port)
     * @param uri the request target as received (path and query)
     * @param userAgent the {@code User-Agent} header; empty when there was none
     * @param status the status sent
     * @param bytes the body length the response announced (0 for HEAD)
     * @param nanos from the request's arrival to the response's end
     * @param complete false when the connection failed before the whole response was written
     * @param upstream the upstream the request was routed to; empty when it was not routed to one
     * @param repository the repository within it; empty likewise
     * @param cache how the cache answered a manifest or blob ({@code hit}, {@code miss}, {@code stale},
     *     {@code coalesced}); empty for other answers and failures
     * @param protocol the protocol that carried the request: {@code HTTP/1.1}, {@code HTTP/1.0} or {@code HTTP/2}
     */
    record Entry(
            long epochMillis,
            SocketAddress remote,
            String method,
            String uri,
            String userAgent,
            int status,
            long bytes,
            long nanos,
            boolean complete,
            String upstream,
            String repository,
            String cache,
            String protocol) {

        /** An entry for a request routed to no upstream, or answered without the cache. */
        public Entry(
                long epochMillis,
                SocketAddress remote,
                String method,
                String uri,
                String userAgent,
                int status,
                long bytes,
                long nanos,
                boolean complete) {
            this(epochMillis, remote, method, uri, userAgent, status, bytes, nanos, complete, "", "", "", "HTTP/1.1");
        }
    }
}
