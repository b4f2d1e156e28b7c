package dev.wharf.proxy.http;

import dev.wharf.config.ServerLimits;
import dev.wharf.proxy.metrics.RequestMetrics;
import dev.wharf.proxy.pull.PullThrough;
import dev.wharf.proxy.security.Gate;
import dev.wharf.proxy.security.ServerSsl;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@code /v2/} listener: Netty with epoll where available, NIO elsewhere. */
public final class WharfServer implements AutoCloseable {
    private static final long QUIET_MILLIS = 50;
    private static final long SHUTDOWN_TIMEOUT_MILLIS = 5_000;

    private static final Logger LOG = LoggerFactory.getLogger(WharfServer.class);
    /** Netty's default (adaptive, direct) allocator, set explicitly so that what is measured is what is used. */
    private static final ByteBufAllocator ALLOCATOR = ByteBufAllocator.DEFAULT;

    /** How the registry API is served safely: the gate every request passes, and a TLS listener when wanted. */
    public record Security(Gate gate, Optional<Tls> tls) {
        /** No gate, no TLS listener. */
        public static final Security NONE = new Security(Gate.OPEN, Optional.empty());
    }

    /** A TLS listener at {@code address} with {@code ssl}'s certificate. */
    public record Tls(InetSocketAddress address, ServerSsl ssl) {}

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel channel;
    private final Optional<Channel> tlsChannel;

    private WharfServer(EventLoopGroup boss, EventLoopGroup workers, Channel channel, Optional<Channel> tlsChannel) {
        this.boss = boss;
        this.workers = workers;
        this.channel = channel;
        this.tlsChannel = tlsChannel;
    }

    /** Binds and starts serving plainly, letting every request through. */
    public static WharfServer start(
            InetSocketAddress address,
            Function<String, Optional<String>> upstreamByHost,
            String defaultUpstream,
            PullThrough pull,
            Executor storage,
            RequestMetrics metrics,
            AccessLog accessLog)
            throws InterruptedException {
        return start(
                address,
                upstreamByHost,
                defaultUpstream,
                pull,
                storage,
                metrics,
                accessLog,
                Security.NONE,
                ServerLimits.DEFAULT);
    }

    /** Binds and starts serving plainly within {@code limits}, letting every request through. */
    public static WharfServer start(
            InetSocketAddress address,
            Function<String, Optional<String>> upstreamByHost,
            String defaultUpstream,
            PullThrough pull,
            Executor storage,
            RequestMetrics metrics,
            AccessLog accessLog,
            ServerLimits limits)
            throws InterruptedException {
        return start(
                address, upstreamByHost, defaultUpstream, pull, storage, metrics, accessLog, Security.NONE, limits);
    }

    /** Binds and starts serving with {@code security}, within the default limits. */
    public static WharfServer start(
            InetSocketAddress address,
            Function<String, Optional<String>> upstreamByHost,
            String defaultUpstream,
            PullThrough pull,
            Executor storage,
            RequestMetrics metrics,
            AccessLog accessLog,
            Security security)
            throws InterruptedException {
        return start(
                address,
                upstreamByHost,
                defaultUpstream,
                pull,
                storage,
                metrics,
                accessLog,
                security,
                ServerLimits.DEFAULT);
    }

    /**
     * Binds and starts serving.
     *
     * @param upstreamByHost the configured upstream's name for a name or alias a client writes; empty when unknown
     * @param defaultUpstream what requests without a prefix or {@code ns} reach
     * @param metrics what counts the answers
     * @param accessLog what receives one entry per answer
     * @param security the gate of every request and the TLS listener, if any
     * @param limits what one client may hold of each listener
     */
    public static WharfServer start(
            InetSocketAddress address,
            Function<String, Optional<String>> upstreamByHost,
            String defaultUpstream,
            PullThrough pull,
            Executor storage,
            RequestMetrics metrics,
            AccessLog accessLog,
            Security security,
            ServerLimits limits)
            throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> type = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, io);
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(0, io);
        RequestHandlers handler = new RequestHandlers(new RegistryHandler(
                new Router(upstreamByHost, defaultUpstream), pull, storage, metrics, accessLog, security.gate()));
        // One limiter for both listeners: the limits are on what a client holds of this server. Each listening socket
        // has its own accept-failure state.
        ConnectionLimiter limiter = ConnectionLimiter.fitting(limits);
        EventLoop acceptLoop = boss.next();
        AcceptErrorHandler acceptErrors = new AcceptErrorHandler(limiter);
        ConnectionLimitHandler connectionLimit =
                new ConnectionLimitHandler(limiter, () -> acceptLoop.execute(acceptErrors::refusedClosed));
        List<Channel> bound = new ArrayList<>();
        try {
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(type)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.ALLOCATOR, ALLOCATOR);
            Channel channel = bootstrap
                    .clone()
                    .handler(acceptErrors)
                    .childHandler(new HttpInitializer(handler, connectionLimit, limits, Optional.empty()))
                    .bind(address)
                    .sync()
                    .channel();
            bound.add(channel);
            LOG.info(
                    "serving the registry API on {} ({}, at most {} connections)",
                    channel.localAddress(),
                    epoll ? "epoll" : "nio",
                    limiter.maxTotal());
            Optional<Channel> tlsChannel = Optional.empty();
            if (security.tls().isPresent()) {
                Tls tls = security.tls().get();
                AcceptErrorHandler tlsAcceptErrors = new AcceptErrorHandler(limiter);
                ConnectionLimitHandler tlsConnectionLimit =
                        new ConnectionLimitHandler(limiter, () -> acceptLoop.execute(tlsAcceptErrors::refusedClosed));
                tlsChannel = Optional.of(bootstrap
                        .clone()
                        .handler(tlsAcceptErrors)
                        .childHandler(new HttpInitializer(handler, tlsConnectionLimit, limits, Optional.of(tls.ssl())))
                        .bind(tls.address())
                        .sync()
                        .channel());
                bound.add(tlsChannel.get());
                LOG.info(
                        "serving the registry API over TLS on {}",
                        tlsChannel.get().localAddress());
            }
            return new WharfServer(boss, workers, channel, tlsChannel);
        } catch (Exception e) { // also the bind failure Netty rethrows unchecked
            bound.forEach(c -> c.close().syncUninterruptibly());
            boss.shutdownGracefully();
            workers.shutdownGracefully();
            throw e;
        }
    }

    /** The address actually bound (useful with port 0). */
    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** The address the TLS listener actually bound; empty without one. */
    public Optional<InetSocketAddress> tlsAddress() {
        return tlsChannel.map(c -> (InetSocketAddress) c.localAddress());
    }

    /** Where the buffers of every client connection come from. */
    public ByteBufAllocator allocator() {
        return ALLOCATOR;
    }

    /** Stops accepting, closes connections, and waits for the event loops to end. */
    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        tlsChannel.ifPresent(c -> c.close().syncUninterruptibly());
        // Both groups at once, without Netty's default 2 s quiet period: nothing new is submitted once closing.
        Future<?> bossDone = boss.shutdownGracefully(QUIET_MILLIS, SHUTDOWN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        Future<?> workersDone =
                workers.shutdownGracefully(QUIET_MILLIS, SHUTDOWN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        bossDone.syncUninterruptibly();
        workersDone.syncUninterruptibly();
    }
}
