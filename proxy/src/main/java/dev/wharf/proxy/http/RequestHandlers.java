package dev.wharf.proxy.http;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.stream.ChunkedWriteHandler;

/**
 * The handlers every request passes whatever the protocol that carried it, added after that protocol's codec: security
 * headers on every answer, chunked writing that follows channel writability, and the registry handler (routing, the
 * gate with authentication and access rules, request hygiene, metrics, the access log). A protocol that needs
 * handlers of its own between the answer's decoration and the registry adds them after {@link #SECURITY_HEADERS}.
 */
final class RequestHandlers {
    /** The name of the first handler added: anything a protocol writes after it still gets the security headers. */
    static final String SECURITY_HEADERS = "securityHeaders";

    private static final SecurityHeadersHandler SECURITY_HEADERS_HANDLER = new SecurityHeadersHandler();

    private final RegistryHandler registry;

    RequestHandlers(RegistryHandler registry) {
        this.registry = registry;
    }

    /** Adds the handlers at the end of {@code pipeline}, which already decodes requests into HTTP objects. */
    void addTo(ChannelPipeline pipeline) {
        pipeline.addLast(SECURITY_HEADERS, SECURITY_HEADERS_HANDLER)
                .addLast("chunked", new ChunkedWriteHandler())
                .addLast("registry", registry);
    }
}
