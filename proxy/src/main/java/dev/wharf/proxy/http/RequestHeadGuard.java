package dev.wharf.proxy.http;

import static io.netty.handler.codec.http.HttpResponseStatus.REQUEST_TIMEOUT;
import static io.netty.handler.codec.http.HttpResponseStatus.TOO_MANY_REQUESTS;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One connection's request-head deadline and pipelining limit, as two handlers around the HTTP codec: {@link
 * #bytes()} before it sees raw bytes arrive, {@link #messages()} after it sees decoded requests and the answers
 * written. The deadline runs whenever the connection waits for a request (it opened, or every request read so far
 * has been answered) and stops when a request head is decoded; when it passes, the connection is closed, after a
 * {@code 408} if part of a head had come (a slow-header client, or junk after the last request). Requests decoded
 * ahead of their answers beyond {@code maxPipelined} are not served: once the earlier ones are answered, the next is
 * answered {@code 429} and the connection closed; so is a request beyond {@code maxPipelined} that arrived in the same
 * read as the ones before it (the codec decodes a buffered request only after the previous answer). All state is confined to the connection's event loop.
 */
final class RequestHeadGuard {
    private final long timeoutNanos;
    private final int maxPipelined;
    private ChannelHandlerContext messagesCtx;
    private ScheduledFuture<?> deadline;
    private boolean bytesSinceArmed;
    private int pending;
    private int sinceBytes;
    private boolean overflowed;

    RequestHeadGuard(Duration timeout, int maxPipelined) {
        this.timeoutNanos = timeout.toNanos();
        this.maxPipelined = maxPipelined;
    }

    /** The handler that goes before the HTTP codec. */
    ChannelInboundHandlerAdapter bytes() {
        return new BytesHandler();
    }

    /** The handler that goes after the HTTP codec. */
    ChannelDuplexHandler messages() {
        return new MessagesHandler();
    }

    private void arm() {
        cancel();
        bytesSinceArmed = false;
        deadline = messagesCtx.executor().schedule(this::expired, timeoutNanos, TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    private void expired() {
        deadline = null;
        if (!messagesCtx.channel().isActive()) {
            return;
        }
        if (bytesSinceArmed && pending == 0) {
            refuse(new RequestException(REQUEST_TIMEOUT, "UNSUPPORTED", "request head not received in time"));
        } else {
            messagesCtx.close();
        }
    }

    private void refuse(RequestException refusal) {
        FullHttpResponse response = Responses.error(ErrorMapper.map(refusal, null), false);
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        messagesCtx.channel().config().setAutoRead(false);
        messagesCtx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    private final class BytesHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf buf && buf.isReadable()) {
                bytesSinceArmed = true;
                sinceBytes = 0;
            }
            ctx.fireChannelRead(msg);
        }
    }

    private final class MessagesHandler extends ChannelDuplexHandler {
        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            messagesCtx = ctx;
            if (ctx.channel().isActive()) {
                arm();
            }
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (deadline == null && pending == 0) {
                arm();
            }
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            cancel();
            ctx.fireChannelInactive();
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            cancel();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (overflowed) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof HttpRequest) {
                cancel();
                // The codec decodes a buffered request only once the one before it is answered, so requests that
                // came in one read are counted as they are decoded; those decoded ahead of answers count too.
                if (pending >= maxPipelined || ++sinceBytes > maxPipelined) {
                    overflowed = true;
                    ReferenceCountUtil.release(msg);
                    if (pending == 0) {
                        refuse(new RequestException(
                                TOO_MANY_REQUESTS, "TOOMANYREQUESTS", "too many pipelined requests"));
                    }
                    return;
                }
                pending++;
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            boolean ends = msg instanceof LastHttpContent;
            ctx.write(msg, promise);
            if (ends && pending > 0) {
                pending--;
                if (pending == 0 && overflowed) {
                    promise.addListener(f -> refuse(
                            new RequestException(TOO_MANY_REQUESTS, "TOOMANYREQUESTS", "too many pipelined requests")));
                } else if (pending == 0) {
                    promise.addListener(f -> {
                        if (f.isSuccess() && pending == 0 && deadline == null) {
                            arm();
                        }
                    });
                }
            }
        }
    }
}
