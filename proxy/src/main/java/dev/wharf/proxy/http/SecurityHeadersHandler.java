package dev.wharf.proxy.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Adds {@code X-Content-Type-Options: nosniff} to every response, whichever handler wrote it, so that no browser
 * ever reads a blob or an upstream's bytes as something other than their declared type.
 */
@ChannelHandler.Sharable
final class SecurityHeadersHandler extends ChannelOutboundHandlerAdapter {
    static final String NOSNIFF_HEADER = "X-Content-Type-Options";

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response) {
            response.headers().set(NOSNIFF_HEADER, "nosniff");
        }
        ctx.write(msg, promise);
    }
}
