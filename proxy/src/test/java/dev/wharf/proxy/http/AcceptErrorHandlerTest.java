package dev.wharf.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The listener's reaction to failed accepts, on an embedded channel whose clock the test moves. */
class AcceptErrorHandlerTest {
    private static final IOException EMFILE = new IOException("accept(..) failed: Too many open files");

    private final ConnectionLimiter limiter = new ConnectionLimiter(100, 100);
    private final AcceptErrorHandler handler = new AcceptErrorHandler(limiter);
    private final EmbeddedChannel listener = new EmbeddedChannel(handler);

    AcceptErrorHandlerTest() {
        listener.freezeTime();
    }

    @Test
    void aFailedAcceptShedsAndPausesOneMillisecondWhileTheSpareIsFree() {
        listener.pipeline().fireExceptionCaught(EMFILE);
        assertFalse(listener.config().isAutoRead());
        assertEquals(ConnectionLimiter.Refusal.SHEDDING, limiter.admit(InetAddress.getLoopbackAddress()));
        advance(1);
        assertTrue(listener.config().isAutoRead());
    }

    @Test
    void withoutASparePausesDoubleUntilTheSpareIsBackThenAcceptingResumesAtOnce() {
        listener.pipeline().fireExceptionCaught(EMFILE); // gives the spare back: 1 ms
        advance(1);
        listener.pipeline().fireExceptionCaught(EMFILE); // no spare: 50 ms
        advance(50);
        assertTrue(listener.config().isAutoRead());
        listener.pipeline().fireExceptionCaught(EMFILE); // no spare: 100 ms
        advance(60);
        assertFalse(listener.config().isAutoRead());

        handler.refusedClosed(); // the refused connection closed: the spare is back
        assertTrue(listener.config().isAutoRead(), "accepting resumes at once");

        listener.pipeline().fireExceptionCaught(EMFILE); // gives the spare back again: 1 ms
        advance(1);
        listener.pipeline().fireExceptionCaught(EMFILE); // no spare: 50 ms again, not 200
        advance(49);
        assertFalse(listener.config().isAutoRead());
        advance(1);
        assertTrue(listener.config().isAutoRead());
    }

    @Test
    void theEndOfAPauseThatAlreadyEndedDoesNotEndALaterOne() {
        listener.pipeline().fireExceptionCaught(EMFILE); // gives the spare back: 1 ms
        advance(1);
        listener.pipeline().fireExceptionCaught(EMFILE); // no spare: 50 ms, ending at 51
        handler.refusedClosed(); // ended at once
        listener.pipeline().fireExceptionCaught(EMFILE); // gives the spare back: 1 ms
        advance(1);
        listener.pipeline().fireExceptionCaught(EMFILE); // no spare: 50 ms, ending at 102
        advance(48); // at 51: the first 50 ms pause would have ended here
        assertFalse(listener.config().isAutoRead());
        advance(3);
        assertTrue(listener.config().isAutoRead());
    }

    @Test
    void aWholeQuietSecondWithTheSpareHeldEndsShedding() {
        listener.pipeline().fireExceptionCaught(EMFILE);
        advance(1);
        handler.refusedClosed();
        advance(999); // the first check, at 1 s, saw the failure
        assertEquals(ConnectionLimiter.Refusal.SHEDDING, limiter.admit(InetAddress.getLoopbackAddress()));
        advance(1_000); // none since
        assertNull(limiter.admit(InetAddress.getLoopbackAddress()));
    }

    private void advance(long millis) {
        listener.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        listener.runScheduledPendingTasks();
    }
}
