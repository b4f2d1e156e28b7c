package dev.wharf.proxy.admin;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * Answers the admin listener: {@code GET /metrics} (Prometheus text), {@code GET /healthz} ({@code ok}), the
 * {@link PrewarmRoutes} under {@code /prewarm}, 404 for
 * anything else. Runs on the event loop: a scrape reads in-memory meters only.
 */
@ChannelHandler.Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String PLAIN_TEXT = "text/plain; charset=utf-8";

    private final Supplier<String> scrape;
    private final PrewarmRoutes prewarm; // null without prewarm

    AdminHandler(Supplier<String> scrape) {
        this(scrape, null);
    }

    AdminHandler(Supplier<String> scrape, PrewarmRoutes prewarm) {
        this.scrape = scrape;
        this.prewarm = prewarm;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            ctx.writeAndFlush(response(HttpResponseStatus.BAD_REQUEST, "bad request\n", PLAIN_TEXT))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        boolean get = request.method().equals(HttpMethod.GET);
        FullHttpResponse response;
        if (get && path.equals("/metrics")) {
            response = response(HttpResponseStatus.OK, scrape.get(), PROMETHEUS_TEXT);
        } else if (get && path.equals("/healthz")) {
            response = response(HttpResponseStatus.OK, "ok", PLAIN_TEXT);
        } else if (prewarm != null && PrewarmRoutes.handles(path)) {
            response = prewarm.answer(request.method(), path);
        } else {
            response = response(HttpResponseStatus.NOT_FOUND, "not found\n", PLAIN_TEXT);
        }
        if (HttpUtil.isKeepAlive(request)) {
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    static FullHttpResponse response(HttpResponseStatus status, String body, String contentType) {
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        return response;
    }
}
