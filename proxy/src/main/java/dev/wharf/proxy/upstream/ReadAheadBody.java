package dev.wharf.proxy.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A response body of the JDK HTTP client (manifests, tag lists, tokens) as an {@link InputStream} that lets the client
 * read up to {@value #DEPTH} buffers ahead of the reader (the JDK's own stream asks for one at a time). Blob bodies
 * are read from the socket instead (see {@link StreamedBody}). Memory stays bounded: at most {@value #DEPTH} delivered buffers wait, each
 * of the client's buffer size. Closing cancels the subscription, which drops the connection when bytes are left.
 *
 * <p>Threading: the client delivers on its own threads; one thread reads.
 */
final class ReadAheadBody extends InputStream implements HttpResponse.BodySubscriber<InputStream> {
    static final int DEPTH = 4;

    private static final List<ByteBuffer> END = List.of();

    /** Creates one subscriber per response. */
    static HttpResponse.BodyHandler<InputStream> handler() {
        return info -> new ReadAheadBody();
    }

    private final LinkedBlockingQueue<List<ByteBuffer>> delivered = new LinkedBlockingQueue<>();
    private final CompletableFuture<Flow.Subscription> subscription = new CompletableFuture<>();
    private volatile Throwable failure;
    // Reader's state.
    private List<ByteBuffer> current = List.of();
    private int index;
    private boolean ended;
    private volatile boolean closed;

    private ReadAheadBody() {}

    @Override
    public CompletionStage<InputStream> getBody() {
        return CompletableFuture.completedFuture(this);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        if (!subscription.complete(s)) {
            s.cancel();
            return;
        }
        if (closed) {
            s.cancel();
        } else {
            s.request(DEPTH);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        delivered.add(item);
    }

    @Override
    public void onError(Throwable throwable) {
        failure = throwable;
        delivered.add(END);
    }

    @Override
    public void onComplete() {
        delivered.add(END);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        ByteBuffer buffer = nextWithBytes();
        if (buffer == null) {
            return -1;
        }
        int n = Math.min(len, buffer.remaining());
        buffer.get(b, off, n);
        return n;
    }

    @Override
    public int available() {
        ByteBuffer buffer = index < current.size() ? current.get(index) : null;
        return buffer == null ? 0 : buffer.remaining();
    }

    /** The buffer to read from next, taking (and asking for) the next delivery when needed; null at the end. */
    private ByteBuffer nextWithBytes() throws IOException {
        while (true) {
            if (closed) {
                throw new IOException("body closed");
            }
            while (index < current.size()) {
                ByteBuffer buffer = current.get(index);
                if (buffer.hasRemaining()) {
                    return buffer;
                }
                index++;
            }
            if (ended) {
                if (failure != null) {
                    throw failure instanceof IOException io ? io : new IOException(failure);
                }
                return null;
            }
            List<ByteBuffer> next;
            try {
                next = delivered.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while reading the body", e);
            }
            if (closed) {
                // Closed while waiting: never mistake it for the end of the body.
                throw new IOException("body closed");
            }
            if (next == END) {
                ended = true;
                continue;
            }
            current = next;
            index = 0;
            // One delivery taken, one more asked for: never more than DEPTH wait.
            subscription.join().request(1);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        delivered.clear();
        // Unblocks a reader waiting in take(); it then sees closed.
        delivered.add(END);
        subscription.thenAccept(Flow.Subscription::cancel);
    }
}
