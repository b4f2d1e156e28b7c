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
 * {@code timeout}, else the connection is closed ({@code GOAWAY} first, sent by the codec); a connection whose streams
 * make no progress for the idle timeout is closed, however many connection frames (PING) it passes ({@link
 * #progressed}), and one that passes no bytes at all is closed by the listener's idle handler. The last handler of the connection: a failure that reaches it closes the
 * connection (a protocol error is closed by the codec, with its {@code GOAWAY}). All state is confined to the event loop.
 */
final class Http2GuardHandler extends ChannelInboundHandlerAdapter {
    private final Http2Connection connection;
    private final long timeoutNanos;
    private final long idleNanos;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> deadline;
    private ScheduledFuture<?> idleCheck;
    private long lastProgress;

    Http2GuardHandler(Http2Connection connection, Duration timeout, Duration idleTimeout) {
        this.connection = connection;
        this.timeoutNanos = timeout.toNanos();
        this.idleNanos = idleTimeout.toNanos();
    }

    /**
     * Notes a stream's progress: a frame of a request read, or a chunk of an answer written. Only this keeps a
     * connection from its idle timeout: connection frames (PING, SETTINGS, WINDOW_UPDATE of the connection) pass
     * bytes but serve no request, so a half-open stream kept company by PINGs is closed like a silent one. Called on
     * the event loop (a stream's channel shares its connection's).
     */
    void progressed() {
        lastProgress = System.nanoTime();
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
        progressed();
        scheduleIdleCheck(idleNanos);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
        cancelIdleCheck();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        cancelIdleCheck();
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

    private void scheduleIdleCheck(long delayNanos) {
        if (ctx.channel().isActive()) {
            idleCheck = ctx.executor().schedule(this::checkIdle, delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void checkIdle() {
        idleCheck = null;
        long left = idleNanos - (System.nanoTime() - lastProgress);
        if (left <= 0) {
            ctx.close();
        } else {
            scheduleIdleCheck(left);
        }
    }

    private void cancelIdleCheck() {
        if (idleCheck != null) {
            idleCheck.cancel(false);
            idleCheck = null;
        }
    }

    private void expired() {
        deadline = null;
        if (connection.numActiveStreams() == 0) {
            ctx.close();
        }
    }
}
