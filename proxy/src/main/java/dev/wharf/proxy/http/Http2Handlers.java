package dev.wharf.proxy.http;

import dev.wharf.config.Http2Limits;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.time.Duration;

/**
 * An HTTP/2 connection (negotiated by ALPN on the TLS listener): the frame codec with its limits, the connection's
 * deadlines and errors, and one child channel per stream that converts frames to HTTP objects and passes them to the same
 * {@link RequestHandlers} as HTTP/1.1. Flow control is the codec's: a stream's channel turns unwritable while the
 * client's window for it is used up, and the chunked writes of a blob pause with it.
 *
 * <p>What HTTP/1.1's own handlers do has an HTTP/2 counterpart here: the request-head size limit is the header list
 * size announced in SETTINGS (line and headers together, as on HTTP/1.1), the pipelining limit is the concurrent
 * stream limit, {@code Host} comes from {@code :authority} (the conversion maps it), and connection-specific headers
 * ({@code Connection}, {@code Keep-Alive}, {@code Transfer-Encoding}) in a request make the codec reset its stream and
 * close the connection, and are dropped from answers by the conversion.
 */
final class Http2Handlers {
    /** The largest header list a client may send: HTTP/1.1's request line and header limits together. */
    static final int MAX_HEADER_LIST_SIZE = HttpInitializer.MAX_INITIAL_LINE + HttpInitializer.MAX_HEADER_SIZE;

    private final RequestHandlers requests;
    private final Http2Limits limits;
    private final Duration headerTimeout;
    private final Duration idleTimeout;

    /**
     * {@code headerTimeout}: how long a connection may have no stream open before it is closed; {@code idleTimeout}:
     * how long its streams may make no progress (PINGs are no progress).
     */
    Http2Handlers(RequestHandlers requests, Http2Limits limits, Duration headerTimeout, Duration idleTimeout) {
        this.requests = requests;
        this.limits = limits;
        this.headerTimeout = headerTimeout;
        this.idleTimeout = idleTimeout;
    }

    /** Adds the HTTP/2 handlers at the end of {@code pipeline}, whose TLS handshake chose {@code h2}. */
    void addTo(ChannelPipeline pipeline) {
        int windowSeconds = (int) limits.resetWindow().toSeconds();
        Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(limits.maxConcurrentStreams())
                        .maxHeaderListSize(MAX_HEADER_LIST_SIZE))
                .validateHeaders(true)
                // Resets the client sends (Rapid Reset) and resets it makes the server send (MadeYouReset).
                .decoderEnforceMaxRstFramesPerWindow(limits.maxResets(), windowSeconds)
                .encoderEnforceMaxRstFramesPerWindow(limits.maxResets(), windowSeconds)
                .build();
        Http2GuardHandler guard = new Http2GuardHandler(codec.connection(), headerTimeout, idleTimeout);
        ChannelDuplexHandler progress = new StreamProgress(guard);
        pipeline.addLast("h2", codec)
                .addLast("h2Streams", new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel stream) {
                        stream.pipeline()
                                .addLast("h2Progress", progress)
                                .addLast("h2Http", new Http2StreamFrameToHttpObjectCodec(true));
                        requests.addTo(stream.pipeline());
                    }
                }))
                .addLast("h2Guard", guard);
    }

    /** Tells the connection's guard of every stream frame read and written: the streams' progress. */
    @ChannelHandler.Sharable
    private static final class StreamProgress extends ChannelDuplexHandler {
        private final Http2GuardHandler guard;

        StreamProgress(Http2GuardHandler guard) {
            this.guard = guard;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            guard.progressed();
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            guard.progressed();
            ctx.write(msg, promise);
        }
    }
}
