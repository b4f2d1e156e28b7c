package dev.wharf.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On the listening socket: when accepting fails (out of file descriptors, EMFILE/ENFILE), logs one line when the burst
 * starts and one when it ends, and meanwhile refuses new connections: it frees a spare descriptor so that a waiting
 * connection can be accepted and answered {@code 503} rather than left hanging, takes the spare back once that
 * connection closed, and pauses accepting (50 ms doubling to 1 s) while no spare is left, accepting again as soon as
 * the spare is back. The burst ends after a second without failures with the spare held. Netty's own reaction (a
 * stack trace per failure, and a fixed 1 s pause) never runs. Runs on the listener's event loop.
 */
final class AcceptErrorHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(AcceptErrorHandler.class);
    private static final long FIRST_PAUSE_MILLIS = 50;
    private static final long MAX_PAUSE_MILLIS = 1_000;
    private static final long QUIET_MILLIS = 1_000;

    private final ConnectionLimiter limiter;
    private final SpareDescriptor spare = new SpareDescriptor();
    private long failures;
    private long failuresAtLastCheck;
    private long pauseMillis = FIRST_PAUSE_MILLIS;
    private boolean paused;
    /** Counts pauses, so that a scheduled end of one that already ended does not end a later one. */
    private long pauses;
    /** The listening channel, once accepting failed. */
    private Channel listener;

    AcceptErrorHandler(ConnectionLimiter limiter) {
        this.limiter = limiter;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException)) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        if (failures++ == 0) {
            LOG.warn(
                    "cannot accept client connections ({}) with {} open: refusing new ones until descriptors are free",
                    cause.getMessage(),
                    limiter.open());
            limiter.shed(true);
            failuresAtLastCheck = 0;
            ctx.executor().schedule(() -> checkQuiet(ctx), QUIET_MILLIS, TimeUnit.MILLISECONDS);
        }
        // With the spare given back one descriptor is free: the next accept takes it, and that connection is refused
        // and closed at once. Without a spare, accepting pauses longer each time.
        boolean freed = spare.release();
        if (!paused) {
            paused = true;
            listener = ctx.channel();
            ctx.channel().config().setAutoRead(false);
            long pause = freed ? 1 : pauseMillis;
            pauseMillis = freed ? pauseMillis : Math.min(MAX_PAUSE_MILLIS, pauseMillis * 2);
            long generation = ++pauses;
            ctx.executor()
                    .schedule(
                            () -> {
                                if (generation == pauses) {
                                    resume();
                                }
                            },
                            pause,
                            TimeUnit.MILLISECONDS);
        }
    }

    /**
     * After a refused connection closed: its descriptor is free, so the spare can be taken back. With the spare held
     * the next waiting connection can be refused at once: a pause for want of a spare ends now, and the next one
     * starts short again. Accepting may fail again before the refused connection has closed: were the pause to keep
     * doubling over such races, a burst of waiting clients would be refused about one a second.
     */
    void refusedClosed() {
        if (failures > 0 && spare.take()) {
            pauseMillis = FIRST_PAUSE_MILLIS;
            if (paused) {
                resume();
            }
        }
    }

    private void resume() {
        paused = false;
        pauses++;
        listener.config().setAutoRead(true);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        spare.close();
        ctx.fireChannelInactive();
    }

    private void checkQuiet(ChannelHandlerContext ctx) {
        if (failures == failuresAtLastCheck && spare.take()) {
            LOG.warn("accepting client connections again after {} failed accepts", failures);
            failures = 0;
            pauseMillis = FIRST_PAUSE_MILLIS;
            limiter.shed(false);
            return;
        }
        failuresAtLastCheck = failures;
        if (ctx.channel().isOpen()) {
            ctx.executor().schedule(() -> checkQuiet(ctx), QUIET_MILLIS, TimeUnit.MILLISECONDS);
        }
    }
}
