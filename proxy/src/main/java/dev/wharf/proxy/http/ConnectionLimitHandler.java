package dev.wharf.proxy.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * First in every connection's pipeline: admits the connection under the {@link ConnectionLimiter}, or answers at once,
 * before reading anything, {@code 429} (too many from this address) or {@code 503} (too many in all, or file
 * descriptors short) with an OCI error body, and closes it.
 */
@ChannelHandler.Sharable
final class ConnectionLimitHandler extends ChannelInboundHandlerAdapter {
    private static final AttributeKey<InetAddress> ADMITTED = AttributeKey.valueOf("wharf.admitted");
    private static final byte[] TOO_MANY_FROM_ADDRESS =
            refusal("429 Too Many Requests", "TOOMANYREQUESTS", "too many connections from this address");
    private static final byte[] TOO_MANY = refusal("503 Service Unavailable", "UNAVAILABLE", "too many connections");

    private final ConnectionLimiter limiter;
    private final Runnable onClose;

    /** {@code onClose} runs on the event loop after a refused connection has closed (to take back a descriptor). */
    ConnectionLimitHandler(ConnectionLimiter limiter, Runnable onClose) {
        this.limiter = limiter;
        this.onClose = onClose;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        InetAddress address = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
        ConnectionLimiter.Refusal refusal = limiter.admit(address);
        if (refusal == null) {
            ctx.channel().attr(ADMITTED).set(address);
            ctx.fireChannelActive();
            return;
        }
        ctx.channel().config().setAutoRead(false);
        byte[] answer = refusal == ConnectionLimiter.Refusal.PER_ADDRESS ? TOO_MANY_FROM_ADDRESS : TOO_MANY;
        ctx.writeAndFlush(Unpooled.wrappedBuffer(answer)).addListener(ChannelFutureListener.CLOSE);
        ctx.channel().closeFuture().addListener(f -> onClose.run());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        InetAddress address = ctx.channel().attr(ADMITTED).getAndSet(null);
        if (address != null) {
            limiter.release(address);
            ctx.fireChannelInactive();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (ctx.channel().hasAttr(ADMITTED) && ctx.channel().attr(ADMITTED).get() != null) {
            ctx.fireChannelRead(msg);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private static byte[] refusal(String status, String code, String message) {
        String body = "{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"" + message + "\",\"detail\":null}]}";
        String head = "HTTP/1.1 " + status + "\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: " + body.length() + "\r\n"
                + "Retry-After: 1\r\n"
                + "Docker-Distribution-API-Version: registry/2.0\r\n"
                + "X-Content-Type-Options: nosniff\r\n"
                + "Connection: close\r\n\r\n";
        return (head + body).getBytes(StandardCharsets.US_ASCII);
    }
}
