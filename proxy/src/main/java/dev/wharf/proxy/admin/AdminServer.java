package dev.wharf.proxy.admin;

import dev.wharf.proxy.security.AdminGate;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The admin listener, apart from {@code /v2/}: one event loop of its own serving the {@link AdminRoutes}. */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    private final EventLoopGroup group;
    private final Channel channel;

    private AdminServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /**
     * Binds {@code address} and serves {@code routes}, those not open only to callers {@code gate} admits (there is no
     * default: {@link AdminGate#OPEN} is passed explicitly where no one authenticates); fails if it cannot bind.
     */
    public static AdminServer start(InetSocketAddress address, AdminRoutes routes, AdminGate gate)
            throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new AdminInitializer(new AdminHandler(routes, gate)))
                    .bind(address)
                    .sync()
                    .channel();
            LOG.info("serving the admin endpoints (/metrics, /healthz, ...) on {}", channel.localAddress());
            return new AdminServer(group, channel);
        } catch (Exception e) { // also the bind failure Netty rethrows unchecked
            group.shutdownGracefully();
            throw e;
        }
    }

    /** The address actually bound (useful with port 0). */
    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** Stops accepting, closes connections, and waits for the event loop to end. */
    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        // Without Netty's default 2 s quiet period: nothing new is submitted once closing.
        group.shutdownGracefully(50, 5_000, TimeUnit.MILLISECONDS).syncUninterruptibly();
    }
}
