package dev.wharf.proxy.security;

import dev.wharf.config.ServerTls;
import dev.wharf.proxy.upstream.Pem;
import dev.wharf.proxy.upstream.WatchedFile;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of the TLS listener: an {@link SslContext} from PEM files, checked every few seconds and rebuilt
 * when a file changed (new connections get the new certificate; open ones keep theirs), or from a self-signed
 * certificate made at start-up, whose fingerprint is logged. With a client CA, client certificates it issued are
 * verified (required or optional). TLS 1.2 and 1.3 only. ALPN offers {@code h2} and {@code http/1.1}; a client that
 * offers neither is served HTTP/1.1. Encryption is BoringSSL's (netty-tcnative) where its native library loads, the
 * JDK's otherwise (or with {@code -Dio.netty.handler.ssl.noOpenSsl=true}); which one is logged at start-up. A file that turns unreadable or invalid is logged and the
 * last good context kept. Messages name files, never key material.
 */
public final class ServerSsl implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServerSsl.class);
    private static final int PEM_LIMIT = 1024 * 1024;
    private static final long CHECK_SECONDS = 2;
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    private static final ApplicationProtocolConfig ALPN = new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_2,
            ApplicationProtocolNames.HTTP_1_1);

    private final ServerTls config;
    private final Optional<SelfSignedCertificate> selfSigned;
    private final List<WatchedFile> files;
    private final ScheduledExecutorService checker;
    private volatile List<byte[]> loaded;
    private volatile SslContext context;

    private ServerSsl(ServerTls config, Optional<SelfSignedCertificate> selfSigned, List<WatchedFile> files) {
        this.config = config;
        this.selfSigned = selfSigned;
        this.files = files;
        this.checker = files.isEmpty()
                ? null
                : Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "wharf-tls-reload");
                    t.setDaemon(true);
                    return t;
                });
    }

    /**
     * The context {@code config} describes, checked for changes from now on; throws {@link IllegalArgumentException}
     * naming the key and file when a file cannot be read or holds no usable certificate or key.
     */
    public static ServerSsl open(ServerTls config) {
        Optional<SelfSignedCertificate> selfSigned = config.selfSigned()
                ? Optional.of(SelfSignedCertificate.create(config.listen().host()))
                : Optional.empty();
        List<WatchedFile> files = new ArrayList<>();
        config.certFile().ifPresent(f -> files.add(new WatchedFile(f, PEM_LIMIT)));
        config.keyFile().ifPresent(f -> files.add(new WatchedFile(f, PEM_LIMIT)));
        config.clientCaFile().ifPresent(f -> files.add(new WatchedFile(f, PEM_LIMIT)));
        ServerSsl ssl = new ServerSsl(config, selfSigned, List.copyOf(files));
        ssl.loaded = ssl.readAll();
        ssl.context = ssl.build(ssl.loaded);
        LOG.info("TLS on {}: {}", config.listen(), provider());
        selfSigned.ifPresent(s -> LOG.info(
                "TLS on {} with a self-signed certificate, SHA-256 fingerprint {}",
                config.listen(),
                SelfSignedCertificate.fingerprint(s.certificate())));
        if (ssl.checker != null) {
            ssl.checker.scheduleWithFixedDelay(ssl::reloadIfChanged, CHECK_SECONDS, CHECK_SECONDS, TimeUnit.SECONDS);
        }
        return ssl;
    }

    /** Which TLS implementation encrypts, for the start-up log. */
    static String provider() {
        if (OpenSsl.isAvailable()) {
            return "OpenSSL provider (" + OpenSsl.versionString() + ")";
        }
        Throwable cause = OpenSsl.unavailabilityCause();
        return "JDK provider (OpenSSL unavailable: "
                + (cause == null ? "unknown" : cause.getClass().getSimpleName() + ": " + cause.getMessage()) + ")";
    }

    /** The context new connections use. */
    public SslContext context() {
        return context;
    }

    /** The self-signed certificate in use; empty when the certificate comes from files. */
    public Optional<X509Certificate> selfSignedCertificate() {
        return selfSigned.map(SelfSignedCertificate::certificate);
    }

    /** Rebuilds the context when a file changed; keeps the last good one (and logs why) when the new files fail. */
    void reloadIfChanged() {
        try {
            List<byte[]> now = readAll();
            boolean changed = false;
            for (int i = 0; i < now.size(); i++) {
                changed |= now.get(i) != loaded.get(i); // WatchedFile returns the same array while unchanged
            }
            if (changed) {
                context = build(now);
                loaded = now;
                LOG.info("TLS on {}: certificate files changed, new connections use them", config.listen());
            }
        } catch (RuntimeException e) {
            LOG.warn("TLS on {}: keeping the last certificate: {}", config.listen(), e.getMessage());
        }
    }

    private List<byte[]> readAll() {
        return files.stream().map(ServerSsl::read).toList();
    }

    private static byte[] read(WatchedFile file) {
        try {
            return file.read();
        } catch (IOException e) {
            throw new IllegalArgumentException(file.path() + " " + WatchedFile.reason(e));
        }
    }

    private SslContext build(List<byte[]> contents) {
        PrivateKey key;
        X509Certificate[] chain;
        int next = 0;
        if (selfSigned.isPresent()) {
            key = selfSigned.get().keys().getPrivate();
            chain = new X509Certificate[] {selfSigned.get().certificate()};
        } else {
            chain = certificates("tls.certFile", config.certFile().orElseThrow(), contents.get(next++));
            key = privateKey(config.keyFile().orElseThrow(), contents.get(next++));
        }
        try {
            SslContextBuilder builder = SslContextBuilder.forServer(key, chain)
                    .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
                    .protocols(PROTOCOLS)
                    // HTTP/2 forbids TLS 1.2's CBC and static-RSA suites (RFC 9113, appendix A): only the AEAD and
                    // forward-secret ones are offered, those either provider supports. TLS 1.3's are all allowed.
                    .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(ALPN);
            if (config.clientCaFile().isPresent()) {
                builder.trustManager(certificates(
                                "tls.clientCaFile", config.clientCaFile().get(), contents.get(next)))
                        .clientAuth(config.clientCertificateRequired() ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
            }
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("tls: the certificate and key cannot be used together ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    private static X509Certificate[] certificates(String key, Path file, byte[] content) {
        List<X509Certificate> found;
        try {
            found = Pem.certificates(new String(content, StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + " " + file + ": " + e.getMessage());
        }
        if (found.isEmpty()) {
            throw new IllegalArgumentException(key + " " + file + ": no CERTIFICATE block");
        }
        return found.toArray(X509Certificate[]::new);
    }

    private static PrivateKey privateKey(Path file, byte[] content) {
        try {
            return Pem.privateKey(new String(content, StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tls.keyFile " + file + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        if (checker != null) {
            checker.shutdownNow();
        }
    }
}
