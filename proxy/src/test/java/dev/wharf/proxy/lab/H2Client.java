package dev.wharf.proxy.lab;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP/2 client for tests that writes and reads raw frames over TLS (ALPN {@code h2} only), so that a test can do
 * what well-behaved clients never do: open more streams than the server's SETTINGS allow, reset streams in a burst,
 * and hold a stream's flow-control window shut. Streams start with the window given at connect (0: nothing flows until
 * {@link #grant}); streams opened with {@code autoGrant} get 1 MiB more at once and their window back as each DATA
 * frame arrives. The
 * connection's window is kept wide open. Bodies are not kept: each stream's bytes are counted and hashed (SHA-256).
 */
public final class H2Client implements AutoCloseable {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final int AUTO_GRANT_WINDOW = 1024 * 1024;

    /** What one stream received so far. */
    public static final class Stream {
        private final int id;
        private final MessageDigest sha256;
        private final AtomicLong bytes = new AtomicLong();
        private volatile Http2Headers headers;
        private volatile long resetCode = -1;
        private final CompletableFuture<Stream> done = new CompletableFuture<>();
        private final CompletableFuture<Stream> answered = new CompletableFuture<>();
        private final boolean autoGrant;

        Stream(int id, boolean autoGrant) {
            this.id = id;
            this.autoGrant = autoGrant;
            try {
                this.sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        public int id() {
            return id;
        }

        /** The response's {@code :status}; 0 before its HEADERS (or when it was reset first). */
        public int status() {
            Http2Headers h = headers;
            return h == null || h.status() == null
                    ? 0
                    : Integer.parseInt(h.status().toString());
        }

        /** A response header; null when absent or before the HEADERS. */
        public String header(String name) {
            Http2Headers h = headers;
            CharSequence value = h == null ? null : h.get(name);
            return value == null ? null : value.toString();
        }

        /** Every response header name (pseudo-headers included); empty before the HEADERS. */
        public Set<String> headerNames() {
            Http2Headers h = headers;
            return h == null
                    ? Set.of()
                    : h.names().stream().map(CharSequence::toString).collect(java.util.stream.Collectors.toSet());
        }

        /** DATA bytes received so far. */
        public long bytes() {
            return bytes.get();
        }

        /** {@code sha256:<hex>} of the DATA bytes; call once the stream ended. */
        public String digest() {
            synchronized (sha256) {
                try {
                    return "sha256:" + HexFormat.of().formatHex(((MessageDigest) sha256.clone()).digest());
                } catch (CloneNotSupportedException e) {
                    throw new IllegalStateException(e);
                }
            }
        }

        /** The RST_STREAM error code the server sent; -1 when it sent none. */
        public long resetCode() {
            return resetCode;
        }

        /** True once the stream ended (END_STREAM, a reset, or the connection closed). */
        public boolean isDone() {
            return done.isDone();
        }

        /** Waits until the response's HEADERS came (or the stream ended without them). */
        public Stream awaitHeaders(Duration timeout) throws InterruptedException, ExecutionException, TimeoutException {
            return answered.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        /** Waits until at least {@code count} DATA bytes came, or the stream ended; returns the bytes received. */
        public long awaitBytes(long count, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            synchronized (this) {
                while (bytes.get() < count && !done.isDone()) {
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0) {
                        break;
                    }
                    wait(left);
                }
            }
            return bytes.get();
        }

        private synchronized void progressed() {
            notifyAll();
        }

        /** Waits until the stream ends (END_STREAM, RST_STREAM or the connection's end). */
        public Stream await(Duration timeout) throws InterruptedException, ExecutionException, TimeoutException {
            return done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** A GOAWAY the server sent. */
    public record GoAway(int lastStreamId, long errorCode) {}

    private final EventLoopGroup group;
    private volatile Channel channel;
    private final String authority;
    private final DefaultHttp2FrameWriter writer = new DefaultHttp2FrameWriter();
    private final Map<Integer, Stream> streams = new ConcurrentHashMap<>();
    private final AtomicInteger nextStream = new AtomicInteger(1);
    private final AtomicInteger pingAcks = new AtomicInteger();
    private final CompletableFuture<Http2Settings> settings = new CompletableFuture<>();
    private final CompletableFuture<GoAway> goAway = new CompletableFuture<>();
    private volatile ChannelHandlerContext ctx;

    private H2Client(EventLoopGroup group, String authority) {
        this.group = group;
        this.authority = authority;
    }

    /**
     * Connects to {@code 127.0.0.1:port} trusting {@code caPem}, offering only {@code h2}; throws unless the server
     * chose it. Sends the preface and SETTINGS with {@code initialWindow} as every stream's window.
     */
    public static H2Client connect(Path caPem, int port, int initialWindow) throws Exception {
        SslContext ssl = SslContextBuilder.forClient()
                .trustManager(caPem.toFile())
                .applicationProtocolConfig(new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2))
                .build();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        H2Client client = new H2Client(group, "127.0.0.1:" + port);
        try {
            Channel channel = new Bootstrap()
                    .group(group)
                    .channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(ssl.newHandler(ch.alloc(), "127.0.0.1", port));
                            ch.pipeline().addLast(new FrameDecoder(client, initialWindow));
                        }
                    })
                    .connect("127.0.0.1", port)
                    .sync()
                    .channel();
            client.channel = channel;
            SslHandler handler = channel.pipeline().get(SslHandler.class);
            handler.handshakeFuture().get(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (!ApplicationProtocolNames.HTTP_2.equals(handler.applicationProtocol())) {
                throw new IllegalStateException("the server chose " + handler.applicationProtocol() + ", not h2");
            }
            if (client.ctx == null || !channel.isActive()) {
                throw new IllegalStateException("the server closed the connection after the handshake");
            }
            return client;
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** The server's first SETTINGS. */
    public Http2Settings serverSettings() throws Exception {
        return settings.get(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Sends a request on a new stream (HEADERS with END_STREAM) and returns it. */
    public Stream request(String method, String path, boolean autoGrant) throws Exception {
        return request(method, path, Map.of(), autoGrant);
    }

    /** Sends a request with extra {@code headers} on a new stream and returns it. */
    public Stream request(String method, String path, Map<String, String> headers, boolean autoGrant) throws Exception {
        Stream stream = new Stream(nextStream.getAndAdd(2), autoGrant);
        streams.put(stream.id, stream);
        Http2Headers h = new DefaultHttp2Headers()
                .method(method)
                .path(path)
                .scheme("https")
                .authority(authority);
        headers.forEach(h::add);
        onLoop(() -> {
            writer.writeHeaders(ctx, stream.id, h, 0, true, ctx.newPromise());
            if (autoGrant) {
                writer.writeWindowUpdate(ctx, stream.id, AUTO_GRANT_WINDOW, ctx.newPromise());
            }
        });
        return stream;
    }

    /**
     * Sends {@code count} requests, each reset (RST_STREAM CANCEL) right after its HEADERS, in writes of 50 frame pairs;
     * stops early when the connection closes. Returns how many pairs were written.
     */
    public int rapidReset(String path, Map<String, String> headers, int count) throws Exception {
        int sent = 0;
        while (sent < count && channel.isActive()) {
            int batch = Math.min(50, count - sent);
            List<Integer> ids = new java.util.ArrayList<>();
            for (int i = 0; i < batch; i++) {
                ids.add(nextStream.getAndAdd(2));
            }
            Http2Headers h = new DefaultHttp2Headers()
                    .method("GET")
                    .path(path)
                    .scheme("https")
                    .authority(authority);
            headers.forEach(h::add);
            try {
                onLoop(() -> {
                    for (int id : ids) {
                        writer.writeHeaders(ctx, id, h, 0, true, ctx.newPromise());
                        writer.writeRstStream(ctx, id, Http2Error.CANCEL.code(), ctx.newPromise());
                    }
                });
            } catch (ExecutionException e) {
                break; // the connection went away under the writes
            }
            sent += batch;
        }
        return sent;
    }

    /** Opens {@code stream}'s window by {@code bytes} (WINDOW_UPDATE). */
    public void grant(Stream stream, int bytes) throws Exception {
        onLoop(() -> writer.writeWindowUpdate(ctx, stream.id, bytes, ctx.newPromise()));
    }

    /** Sends a PING (no stream's frame); {@link #pingAcks} counts the answers. */
    public void ping() throws Exception {
        onLoop(() -> writer.writePing(ctx, false, pingAcks.get(), ctx.newPromise()));
    }

    /** How many PINGs the server has answered. */
    public int pingAcks() {
        return pingAcks.get();
    }

    /** The GOAWAY the server sent, waiting up to {@code timeout}. */
    public GoAway awaitGoAway(Duration timeout) throws Exception {
        return goAway.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** True once the connection closed, waiting up to {@code timeout}. */
    public boolean awaitClosed(Duration timeout) {
        return channel.closeFuture().awaitUninterruptibly(timeout.toMillis());
    }

    private void onLoop(Runnable writes) throws Exception {
        channel.eventLoop()
                .submit(() -> {
                    writes.run();
                    ctx.flush();
                })
                .get(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private void ended(int id) {
        Stream stream = streams.get(id);
        if (stream != null) {
            stream.answered.complete(stream);
            stream.done.complete(stream);
            stream.progressed();
        }
    }

    /** Reads frames as they arrive; runs on the event loop. */
    private static final class FrameDecoder extends ByteToMessageDecoder {
        private final H2Client client;
        private final int initialWindow;
        private final DefaultHttp2FrameReader reader = new DefaultHttp2FrameReader();

        FrameDecoder(H2Client client, int initialWindow) {
            this.client = client;
            this.initialWindow = initialWindow;
        }

        /** Writes the preface first of all (TLS holds it until the handshake is done), so nothing goes before it. */
        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            client.ctx = ctx;
            ctx.write(Http2CodecUtil.connectionPrefaceBuf());
            client.writer.writeSettings(ctx, new Http2Settings().initialWindowSize(initialWindow), ctx.newPromise());
            // The connection's own window stays open: tests hold back streams, never the connection.
            client.writer.writeWindowUpdate(
                    ctx, 0, Integer.MAX_VALUE - Http2CodecUtil.DEFAULT_WINDOW_SIZE, ctx.newPromise());
            ctx.flush();
            super.channelActive(ctx);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Http2Exception {
            reader.readFrame(ctx, in, client.new Listener());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            client.streams.values().forEach(s -> {
                s.answered.complete(s);
                s.done.complete(s);
                s.progressed();
            });
            client.goAway.completeExceptionally(new IllegalStateException("closed without GOAWAY"));
            super.channelInactive(ctx);
        }
    }

    private final class Listener extends Http2FrameAdapter {
        @Override
        public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
            int length = data.readableBytes() + padding;
            Stream stream = streams.get(streamId);
            if (stream != null) {
                synchronized (stream.sha256) {
                    stream.sha256.update(data.nioBuffer());
                }
                stream.bytes.addAndGet(data.readableBytes());
                stream.progressed();
                if (stream.autoGrant && length > 0 && !endOfStream) {
                    writer.writeWindowUpdate(ctx, streamId, length, ctx.newPromise());
                }
            }
            if (length > 0) {
                writer.writeWindowUpdate(ctx, 0, length, ctx.newPromise());
                ctx.flush();
            }
            if (endOfStream) {
                ended(streamId);
            }
            return length;
        }

        @Override
        public void onHeadersRead(
                ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding, boolean endOfStream) {
            Stream stream = streams.get(streamId);
            if (stream != null && stream.headers == null) {
                stream.headers = headers;
                stream.answered.complete(stream);
            }
            if (endOfStream) {
                ended(streamId);
            }
        }

        @Override
        public void onHeadersRead(
                ChannelHandlerContext ctx,
                int streamId,
                Http2Headers headers,
                int streamDependency,
                short weight,
                boolean exclusive,
                int padding,
                boolean endOfStream) {
            onHeadersRead(ctx, streamId, headers, padding, endOfStream);
        }

        @Override
        public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
            Stream stream = streams.get(streamId);
            if (stream != null) {
                stream.resetCode = errorCode;
            }
            ended(streamId);
        }

        @Override
        public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings received) {
            writer.writeSettingsAck(ctx, ctx.newPromise());
            ctx.flush();
            settings.complete(received);
        }

        @Override
        public void onPingAckRead(ChannelHandlerContext ctx, long data) {
            pingAcks.incrementAndGet();
        }

        @Override
        public void onPingRead(ChannelHandlerContext ctx, long data) {
            writer.writePing(ctx, true, data, ctx.newPromise());
            ctx.flush();
        }

        @Override
        public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
            goAway.complete(new GoAway(lastStreamId, errorCode));
        }
    }
}
