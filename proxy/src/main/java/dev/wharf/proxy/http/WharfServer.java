package dev.wharf.proxy.http;

import dev.wharf.config.ServerLimits;
import dev.wharf.proxy.metrics.RequestMetrics;
import dev.wharf.proxy.pull.PullThrough;
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

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel channel;

    private WharfServer(EventLoopGroup boss, EventLoopGroup workers, Channel channel) {
        this.boss = boss;
        this.workers = workers;
        this.channel = channel;
    }

    /**
     * Binds and starts serving.
     *
     * @param upstreamByHost the configured upstream's name for a name or alias a client writes; empty when unknown
     * @param defaultUpstream what requests without a prefix or {@code ns} reach
     * @param metrics what counts the answers
     * @param accessLog what receives one entry per answer
     * @param limits what one client may hold of the listener
     */
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
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> type = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, io);
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(0, io);
        RegistryHandler handler =
                new RegistryHandler(new Router(upstreamByHost, defaultUpstream), pull, storage, metrics, accessLog);
        ConnectionLimiter limiter = ConnectionLimiter.fitting(limits);
        AcceptErrorHandler acceptErrors = new AcceptErrorHandler(limiter);
        EventLoop acceptLoop = boss.next();
        ConnectionLimitHandler connectionLimit =
                new ConnectionLimitHandler(limiter, () -> acceptLoop.execute(acceptErrors::refusedClosed));
        try {
            Channel channel = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(type)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.ALLOCATOR, ALLOCATOR)
                    .handler(acceptErrors)
                    .childHandler(new HttpInitializer(handler, connectionLimit, limits))
                    .bind(address)
                    .sync()
                    .channel();
            LOG.info(
                    "serving the registry API on {} ({}, at most {} connections)",
                    channel.localAddress(),
                    epoll ? "epoll" : "nio",
                    limiter.maxTotal());
            return new WharfServer(boss, workers, channel);
        } catch (Exception e) { // also the bind failure Netty rethrows unchecked
            boss.shutdownGracefully();
            workers.shutdownGracefully();
            throw e;
        }
    }

    /** The address actually bound (useful with port 0). */
    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** Where the buffers of every client connection come from. */
    public ByteBufAllocator allocator() {
        return ALLOCATOR;
    }

    /** Stops accepting, closes connections, and waits for the event loops to end. */
    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        // Both groups at once, without Netty's default 2 s quiet period: nothing new is submitted once closing.
        Future<?> bossDone = boss.shutdownGracefully(QUIET_MILLIS, SHUTDOWN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        Future<?> workersDone =
                workers.shutdownGracefully(QUIET_MILLIS, SHUTDOWN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        bossDone.syncUninterruptibly();
        workersDone.syncUninterruptibly();
    }
}
