package dev.wharf.proxy.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.config.HostPort;
import dev.wharf.config.ServerTls;
import dev.wharf.proxy.lab.TestCa;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS listener's context is BoringSSL's where it loads, as it must in this build (ALPN: Http2ClientsIT), and it
 * negotiates only what HTTP/2 allows: a TLS 1.2 client offering only a CBC or an RSA-key-exchange suite is refused, while one offering an AEAD
 * suite, and a TLS 1.3 client, complete the handshake (a JDK client against the listener's own context, in memory).
 */
class ServerSslTest {
    private static final ServerTls SELF_SIGNED = new ServerTls(
            HostPort.parse("127.0.0.1:5443"), Optional.empty(), Optional.empty(), Optional.empty(), false);

    @Test
    void encryptsWithBoringSsl() {
        assertTrue(
                OpenSsl.isAvailable(),
                "netty-tcnative-boringssl-static did not load: " + OpenSsl.unavailabilityCause());
        try (ServerSsl ssl = ServerSsl.open(SELF_SIGNED)) {
            assertInstanceOf(OpenSslContext.class, ssl.context());
            assertTrue(ServerSsl.provider().startsWith("OpenSSL provider"), ServerSsl.provider());
        }
    }

    @Test
    void aTls12ClientOfferingOnlyCbcOrRsaKeyExchangeSuitesIsRefusedAndOneOfferingGcmIsServed(@TempDir Path dir)
            throws Exception {
        // An RSA key, as most certificates have: the suites a TLS 1.2 client would agree on with it by default.
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        TestCa.create("Wharf ciphers CA").issueServer(cert, key);
        ServerTls config = new ServerTls(
                HostPort.parse("127.0.0.1:5443"), Optional.of(cert), Optional.of(key), Optional.empty(), false);
        try (ServerSsl ssl = ServerSsl.open(config)) {
            for (String suite : List.of("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA")) {
                SSLEngine refused = client("TLSv1.2", List.of(suite));
                assertArrayEquals(new String[] {suite}, refused.getEnabledCipherSuites(), "the client offers it");
                assertThrows(SSLException.class, () -> handshake(refused, server(ssl)), suite);
            }

            String gcm = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
            SSLEngine served = client("TLSv1.2", List.of(gcm));
            handshake(served, server(ssl));
            assertEquals("TLSv1.2", served.getSession().getProtocol());
            assertEquals(gcm, served.getSession().getCipherSuite());

            SSLEngine tls13 = client("TLSv1.3", List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"));
            handshake(tls13, server(ssl));
            assertEquals("TLSv1.3", tls13.getSession().getProtocol());
        }
    }

    private static SSLEngine server(ServerSsl ssl) {
        return ssl.context().newEngine(ByteBufAllocator.DEFAULT);
    }

    private static SSLEngine client(String protocol, List<String> suites) throws SSLException {
        return SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .protocols(protocol)
                .ciphers(suites)
                .build()
                .newEngine(ByteBufAllocator.DEFAULT, "localhost", 443);
    }

    /** Passes records between the engines until both finished the handshake; throws what either refused. */
    private static void handshake(SSLEngine client, SSLEngine server) throws SSLException {
        int packet = Math.max(
                client.getSession().getPacketBufferSize(), server.getSession().getPacketBufferSize());
        int app = Math.max(
                client.getSession().getApplicationBufferSize(),
                server.getSession().getApplicationBufferSize());
        ByteBuffer toServer = ByteBuffer.allocate(4 * packet);
        ByteBuffer toClient = ByteBuffer.allocate(4 * packet);
        ByteBuffer clientApp = ByteBuffer.allocate(4 * app);
        ByteBuffer serverApp = ByteBuffer.allocate(4 * app);
        ByteBuffer empty = ByteBuffer.allocate(0);
        client.beginHandshake();
        server.beginHandshake();
        for (int round = 0; round < 100; round++) {
            client.wrap(empty, toServer);
            runTasks(client);
            server.wrap(empty, toClient);
            runTasks(server);
            toServer.flip();
            server.unwrap(toServer, serverApp);
            toServer.compact();
            runTasks(server);
            toClient.flip();
            client.unwrap(toClient, clientApp);
            toClient.compact();
            runTasks(client);
            if (done(client) && done(server) && toServer.position() == 0 && toClient.position() == 0) {
                return;
            }
        }
        throw new IllegalStateException("the handshake made no progress");
    }

    private static boolean done(SSLEngine engine) {
        HandshakeStatus status = engine.getHandshakeStatus();
        return status == HandshakeStatus.NOT_HANDSHAKING || status == HandshakeStatus.FINISHED;
    }

    private static void runTasks(SSLEngine engine) {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }
}
