package dev.wharf.proxy.http;

import dev.wharf.proxy.pull.Fill;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Waits, without blocking, until a fill can send the first byte of a response (or all of an empty one), so that a
 * blob whose fill fails before that is answered with an error status rather than a status line followed by a
 * connection closed short. Exactly one of the three actions runs, on the channel's event loop.
 */
final class FillStart {
    private FillStart() {}

    /**
     * Runs {@code ready} once bytes from {@code first} up to {@code end} may be sent, {@code failed} with the fill's
     * failure if it fails before, or {@code gone} if the channel closes first.
     */
    static void await(
            Fill fill,
            long first,
            long end,
            Channel channel,
            Runnable ready,
            Consumer<Throwable> failed,
            Runnable gone) {
        AtomicBoolean decided = new AtomicBoolean();
        AtomicReference<Runnable> unlisten = new AtomicReference<>(() -> {});
        ChannelFutureListener onClose = f -> {
            if (decided.compareAndSet(false, true)) {
                unlisten.get().run();
                gone.run();
            }
        };
        // Runs on the fill thread after every chunk, and at once when the fill has ended already.
        Runnable check = () -> {
            Throwable failure = null;
            try {
                long limit = fill.sendableEnd(end);
                if (limit < end && limit <= first) {
                    return;
                }
            } catch (IOException e) {
                failure = e.getCause() != null ? e.getCause() : e;
            }
            if (!decided.compareAndSet(false, true)) {
                return;
            }
            unlisten.get().run();
            Throwable outcome = failure;
            try {
                channel.eventLoop().execute(() -> {
                    channel.closeFuture().removeListener(onClose);
                    if (!channel.isActive()) {
                        gone.run();
                    } else if (outcome == null) {
                        ready.run();
                    } else {
                        failed.accept(outcome);
                    }
                });
            } catch (RejectedExecutionException e) {
                gone.run();
            }
        };
        channel.closeFuture().addListener(onClose);
        Runnable remove = fill.listen(check);
        unlisten.set(remove);
        if (decided.get()) {
            remove.run();
        } else {
            // Bytes written before the listener was added announce nothing more: look once now.
            check.run();
        }
    }
}
