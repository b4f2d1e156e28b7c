package dev.wharf.proxy.http;

import dev.wharf.proxy.security.ServerSsl;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline of one client connection: TLS on the TLS listener, HTTP/1.1 codec with size limits, idle timeout, one
 * request at a time, the registry handler.
 */
final class HttpInitializer extends ChannelInitializer<SocketChannel> {
    static final int MAX_INITIAL_LINE = 8 * 1024;
    static final int MAX_HEADER_SIZE = 16 * 1024;
    private static final int IDLE_SECONDS = 120;

    private final RegistryHandler registry;
    private final Optional<ServerSsl> tls;

    HttpInitializer(RegistryHandler registry) {
        this(registry, Optional.empty());
    }

    /** With {@code tls}, each connection starts with the TLS handshake of its current certificate. */
    HttpInitializer(RegistryHandler registry, Optional<ServerSsl> tls) {
        this.registry = registry;
        this.tls = tls;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        tls.ifPresent(ssl -> ch.pipeline().addLast("tls", ssl.context().newHandler(ch.alloc())));
        ch.pipeline()
                .addLast("idle", new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS))
                .addLast("http", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_SIZE, 64 * 1024))
                // Holds back requests decoded from the same read while auto-read is off, so pipelined requests
                // reach the registry handler one at a time and are answered in order.
                .addLast("flow", new FlowControlHandler())
                .addLast("chunked", new ChunkedWriteHandler())
                .addLast("registry", registry);
    }
}
