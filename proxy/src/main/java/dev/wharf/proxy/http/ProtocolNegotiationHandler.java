package dev.wharf.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import java.util.function.Consumer;

/**
 * Once the TLS handshake is done, adds the handlers of the protocol it chose by ALPN: HTTP/2 for {@code h2}, HTTP/1.1
 * otherwise (a client that offered no protocol, or only {@code http/1.1}).
 */
final class ProtocolNegotiationHandler extends ApplicationProtocolNegotiationHandler {
    private final Http2Handlers http2;
    private final Consumer<ChannelHandlerContext> http1;

    ProtocolNegotiationHandler(Http2Handlers http2, Consumer<ChannelHandlerContext> http1) {
        super(ApplicationProtocolNames.HTTP_1_1);
        this.http2 = http2;
        this.http1 = http1;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
            http2.addTo(ctx.pipeline());
        } else {
            http1.accept(ctx);
        }
    }
}
