package dev.wharf.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ReadAheadBodyTest {
    private final AtomicLong requested = new AtomicLong();
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final HttpResponse.BodySubscriber<InputStream> subscriber =
            ReadAheadBody.handler().apply(null);

    private InputStream subscribe() {
        subscriber.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
                requested.addAndGet(n);
            }

            @Override
            public void cancel() {
                cancelled.set(true);
            }
        });
        return subscriber.getBody().toCompletableFuture().join();
    }

    @Test
    void asksForSeveralBuffersAheadAndOneMorePerBufferTaken() throws IOException {
        InputStream body = subscribe();
        assertEquals(ReadAheadBody.DEPTH, requested.get());

        subscriber.onNext(List.of(ByteBuffer.wrap(new byte[] {1, 2})));
        subscriber.onNext(List.of(ByteBuffer.wrap(new byte[] {3})));
        assertEquals(ReadAheadBody.DEPTH, requested.get(), "nothing more until the reader takes a delivery");

        byte[] first = new byte[8];
        assertEquals(2, body.read(first));
        assertEquals(ReadAheadBody.DEPTH + 1, requested.get());
        assertEquals(3, body.read());
        assertEquals(ReadAheadBody.DEPTH + 2, requested.get());
    }

    @Test
    void deliversEveryByteInOrderThenTheEnd() throws IOException {
        InputStream body = subscribe();
        subscriber.onNext(List.of(ByteBuffer.wrap("hel".getBytes()), ByteBuffer.wrap("lo ".getBytes())));
        subscriber.onNext(List.of(ByteBuffer.wrap("world".getBytes())));
        subscriber.onComplete();

        assertArrayEquals("hello world".getBytes(), body.readAllBytes());
        assertEquals(-1, body.read());
    }

    @Test
    void aFailureAfterSomeBytesIsThrownNotTakenForTheEnd() throws IOException {
        InputStream body = subscribe();
        subscriber.onNext(List.of(ByteBuffer.wrap(new byte[] {7, 8})));
        subscriber.onError(new IOException("connection reset"));

        assertEquals(7, body.read());
        assertEquals(8, body.read());
        IOException e = assertThrows(IOException.class, body::read);
        assertEquals("connection reset", e.getMessage());
        assertThrows(IOException.class, body::read, "and again on the next read");
    }

    @Test
    void closingWakesABlockedReaderWithAnErrorAndCancels() throws Exception {
        InputStream body = subscribe();
        CompletableFuture<Throwable> reader = CompletableFuture.supplyAsync(() -> {
            try {
                body.read();
                return null;
            } catch (IOException e) {
                return e;
            }
        });

        body.close();

        assertTrue(reader.get(5, TimeUnit.SECONDS) instanceof IOException, "a closed body is not a complete one");
        assertTrue(cancelled.get());
    }
}
