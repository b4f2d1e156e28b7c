package dev.wharf.proxy.security;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.config.HostPort;
import dev.wharf.config.ServerTls;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslContext;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The TLS listener's context is BoringSSL's where it loads, as it must in this build (ALPN: Http2ClientsIT). */
class ServerSslTest {
    @Test
    void encryptsWithBoringSsl() {
        assertTrue(
                OpenSsl.isAvailable(),
                "netty-tcnative-boringssl-static did not load: " + OpenSsl.unavailabilityCause());
        ServerTls config = new ServerTls(
                HostPort.parse("127.0.0.1:5443"), Optional.empty(), Optional.empty(), Optional.empty(), false);
        try (ServerSsl ssl = ServerSsl.open(config)) {
            assertInstanceOf(OpenSslContext.class, ssl.context());
            assertTrue(ServerSsl.provider().startsWith("OpenSSL provider"), ServerSsl.provider());
        }
    }
}
