package dev.wharf.proxy.http;

import dev.wharf.config.ServerLimits;
import dev.wharf.proxy.security.ServerSsl;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline of one client connection: connection limits, TLS on the TLS listener, idle timeout, then HTTP/1.1 (the
 * request-head deadline, the codec with size limits, the pipelining limit, one request at a time) or, where the TLS
 * handshake chose {@code h2} by ALPN, HTTP/2 ({@link Http2Handlers}); then the {@link RequestHandlers} every request
 * passes, whatever the protocol.
 */
final class HttpInitializer extends ChannelInitializer<SocketChannel> {
    static final int MAX_INITIAL_LINE = 8 * 1024;
    static final int MAX_HEADER_SIZE = 16 * 1024;

    private final RequestHandlers requests;
    private final ConnectionLimitHandler connectionLimit;
    private final ServerLimits limits;
    private final Optional<ServerSsl> tls;

    /** With {@code tls}, each connection starts with the TLS handshake of its current certificate. */
    HttpInitializer(
            RequestHandlers requests,
            ConnectionLimitHandler connectionLimit,
            ServerLimits limits,
            Optional<ServerSsl> tls) {
        this.requests = requests;
        this.connectionLimit = connectionLimit;
        this.limits = limits;
        this.tls = tls;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.pipeline().addLast("limit", connectionLimit);
        tls.ifPresent(ssl -> ch.pipeline().addLast("tls", ssl.context().newHandler(ch.alloc())));
        ch.pipeline()
                .addLast("idle", new IdleStateHandler(0, 0, limits.idleTimeout().toMillis(), TimeUnit.MILLISECONDS));
        if (tls.isPresent()) {
            Http2Handlers http2 =
                    new Http2Handlers(requests, limits.http2(), limits.headerTimeout(), limits.idleTimeout());
            ch.pipeline().addLast("alpn", new ProtocolNegotiationHandler(http2, ctx -> addHttp1(ctx.pipeline())));
        } else {
            addHttp1(ch.pipeline());
        }
    }

    private void addHttp1(ChannelPipeline pipeline) {
        RequestHeadGuard head = new RequestHeadGuard(limits.headerTimeout(), limits.maxPipelined());
        pipeline.addLast("headBytes", head.bytes())
                .addLast("http", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_SIZE, 64 * 1024));
        requests.addTo(pipeline);
        pipeline.addAfter(RequestHandlers.SECURITY_HEADERS, "headRequests", head.messages())
                // Holds back requests decoded from the same read while auto-read is off, so pipelined requests
                // reach the registry handler one at a time and are answered in order.
                .addAfter("headRequests", "flow", new FlowControlHandler());
    }
}
