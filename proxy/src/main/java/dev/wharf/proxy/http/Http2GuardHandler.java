package dev.wharf.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP/2 connection's deadlines, HTTP/1.1's request-head deadline and idle timeout at the connection level: while
 * no stream is open (the connection opened, or every request so far has been answered) a request must begin within
 * {@code timeout}, else the connection is closed ({@code GOAWAY} first, sent by the codec); a connection that passes no
 * bytes for the idle timeout is closed. The last handler of the connection: a failure that reaches it closes the
 * connection (a protocol error is closed by the codec, with its {@code GOAWAY}). All state is confined to the event loop.
 */
final class Http2GuardHandler extends ChannelInboundHandlerAdapter {
    private final Http2Connection connection;
    private final long timeoutNanos;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> deadline;

    Http2GuardHandler(Http2Connection connection, Duration timeout) {
        this.connection = connection;
        this.timeoutNanos = timeout.toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        connection.addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamActive(Http2Stream stream) {
                cancel();
            }

            @Override
            public void onStreamClosed(Http2Stream stream) {
                // Checked once the codec has finished closing the stream, so the count no longer includes it.
                ctx.executor().execute(Http2GuardHandler.this::armIfNoStreams);
            }
        });
        armIfNoStreams();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // The codec reports a protocol error here before it sends its GOAWAY with the error's code and closes: closing
        // first would send a GOAWAY without the reason.
        if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) == null) {
            ctx.close();
        }
    }

    private void armIfNoStreams() {
        if (deadline == null
                && connection.numActiveStreams() == 0
                && ctx.channel().isActive()) {
            deadline = ctx.executor().schedule(this::expired, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void cancel() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    private void expired() {
        deadline = null;
        if (connection.numActiveStreams() == 0) {
            ctx.close();
        }
    }
}
