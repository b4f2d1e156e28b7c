package dev.wharf.proxy.admin;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;

/** The pipeline of one admin connection: small HTTP/1.1 limits, a read timeout, the admin handler. */
final class AdminInitializer extends ChannelInitializer<SocketChannel> {
    private static final int MAX_INITIAL_LINE = 4 * 1024;
    private static final int MAX_HEADER_SIZE = 8 * 1024;
    private static final int MAX_BODY = 8 * 1024;
    private static final int READ_TIMEOUT_SECONDS = 30;

    private final AdminHandler admin;

    AdminInitializer(AdminHandler admin) {
        this.admin = admin;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.pipeline()
                .addLast("timeout", new ReadTimeoutHandler(READ_TIMEOUT_SECONDS))
                .addLast("http", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_SIZE, MAX_BODY))
                .addLast("aggregate", new HttpObjectAggregator(MAX_BODY))
                .addLast("admin", admin);
    }
}
