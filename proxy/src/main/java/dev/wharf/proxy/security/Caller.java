package dev.wharf.proxy.security;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslHandler;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * What a request shows of its sender: its {@code Authorization} header and, over TLS, the client certificate the
 * handshake verified (looked up only when asked). {@link #toString()} never shows the header.
 */
public record Caller(Optional<String> authorization, Supplier<Optional<X509Certificate>> certificate) {
    /** The caller of {@code request} on {@code channel}. */
    public static Caller of(HttpRequest request, Channel channel) {
        return new Caller(
                Optional.ofNullable(request.headers().get(HttpHeaderNames.AUTHORIZATION)), () -> peer(channel));
    }

    private static Optional<X509Certificate> peer(Channel channel) {
        // An HTTP/2 stream's channel is a child of the connection's, which holds the TLS session.
        // Only a stream's: any other channel's parent (a listening socket) is no session of this caller's.
        Channel connection = channel instanceof Http2StreamChannel ? channel.parent() : channel;
        SslHandler ssl = connection.pipeline().get(SslHandler.class);
        if (ssl == null) {
            return Optional.empty();
        }
        try {
            Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x509 ? Optional.of(x509) : Optional.empty();
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return "Caller[authorization=" + (authorization.isPresent() ? "<redacted>" : "none") + "]";
    }
}
