package dev.wharf.proxy.upstream;

import dev.wharf.config.UpstreamTls;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS an upstream's two HTTP clients share: one {@link SSLContext} trusting the system's CAs plus any configured
 * ones (or, with {@code insecureSkipVerify}, any certificate for any host), presenting a client certificate when one
 * is configured. The files are read again when they change (checked at each new connection's handshake), so a
 * rotated CA or client certificate is used without a restart; a change that cannot be read keeps the previous one.
 */
public record UpstreamSsl(SSLContext context, boolean insecureSkipVerify) {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamSsl.class);
    private static final char[] NO_PASSWORD = new char[0];

    /**
     * The context for upstream {@code name} at {@code url}; empty when {@code tls} asks for nothing beyond the JDK's
     * defaults. Throws {@link IllegalArgumentException} naming the upstream, the key and the file when a file cannot
     * be read or holds no usable certificate or key.
     */
    public static Optional<UpstreamSsl> of(String name, URI url, UpstreamTls tls) {
        if (tls.isDefault()) {
            return Optional.empty();
        }
        try {
            TlsMaterial material = new TlsMaterial(name, () -> load(name, url, tls), () -> inputs(url, tls));
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(
                    new KeyManager[] {new TlsMaterial.Keys(material)},
                    new TrustManager[] {new TlsMaterial.Trust(material)},
                    null);
            if (tls.insecureSkipVerify()) {
                LOG.warn(
                        "upstream {}: tls.insecureSkipVerify is on: any server certificate is accepted for any host,"
                                + " so anyone on the path can read and change what Wharf fetches",
                        name);
            }
            return Optional.of(new UpstreamSsl(context, tls.insecureSkipVerify()));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "upstream " + name + ": cannot set up TLS: " + e.getClass().getSimpleName(), e);
        }
    }

    /**
     * The trust and client key {@code tls}' files give now. Throws {@link IllegalArgumentException} naming the upstream,
     * the key and the file when a file cannot be read or holds no usable certificate or key.
     */
    private static TlsMaterial.Loaded load(String name, URI url, UpstreamTls tls) {
        List<X509Certificate> cas = new ArrayList<>();
        Optional<Path> certFile = tls.certFile();
        Optional<Path> keyFile = tls.keyFile();
        tls.caFile().ifPresent(file -> cas.addAll(certificates(name, "tls.caFile", file)));
        if (tls.certsDir().isPresent()) {
            Optional<Path> hostDir = hostDir(tls.certsDir().get(), url);
            if (hostDir.isEmpty()) {
                LOG.info(
                        "upstream {}: no {} or {} folder in tls.certsDir {}",
                        name,
                        url.getRawAuthority(),
                        url.getHost(),
                        tls.certsDir().get());
            }
            for (Path file : files(name, hostDir, ".crt")) {
                cas.addAll(certificates(name, "tls.certsDir", file));
            }
            if (certFile.isEmpty() && hostDir.isPresent()) {
                for (Path cert : files(name, hostDir, ".cert")) {
                    Path key = cert.resolveSibling(cert.getFileName().toString().replaceAll("\\.cert$", ".key"));
                    if (Files.isRegularFile(key)) {
                        certFile = Optional.of(cert);
                        keyFile = Optional.of(key);
                        break;
                    }
                }
            }
        }
        try {
            X509ExtendedTrustManager trust = tls.insecureSkipVerify() ? new TrustingAnything() : trust(cas);
            Optional<X509ExtendedKeyManager> keys = certFile.isPresent()
                    ? Optional.of(keyManager(name, certFile.get(), keyFile.get()))
                    : Optional.empty();
            return new TlsMaterial.Loaded(trust, keys);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "upstream " + name + ": cannot set up TLS: " + e.getClass().getSimpleName(), e);
        }
    }

    /**
     * What {@link #load} reads, as it is on disk now: each configured file's and each {@code certs.d} host folder
     * entry's path, identity, modification time and size. Equal values mean nothing changed.
     */
    private static List<Object> inputs(URI url, UpstreamTls tls) {
        List<Path> paths = new ArrayList<>();
        tls.caFile().ifPresent(paths::add);
        tls.certFile().ifPresent(paths::add);
        tls.keyFile().ifPresent(paths::add);
        tls.certsDir().flatMap(dir -> hostDir(dir, url)).ifPresent(dir -> {
            paths.add(dir);
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                entries.forEach(paths::add);
            } catch (IOException e) {
                // Then the folder reads as changed, and loading says what is wrong with it.
            }
        });
        paths.sort(null);
        List<Object> state = new ArrayList<>();
        for (Path path : paths) {
            state.add(path);
            try {
                BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
                state.add(attributes.fileKey());
                state.add(attributes.lastModifiedTime());
                state.add(attributes.size());
            } catch (IOException e) {
                state.add("unreadable");
            }
        }
        return state;
    }

    /** Docker's {@code certs.d} folder for the upstream: {@code host:port} first, then {@code host}. */
    private static Optional<Path> hostDir(Path certsDir, URI url) {
        for (String folder : List.of(url.getRawAuthority(), url.getHost())) {
            Path dir = certsDir.resolve(folder);
            if (Files.isDirectory(dir)) {
                return Optional.of(dir);
            }
        }
        return Optional.empty();
    }

    private static List<Path> files(String name, Optional<Path> dir, String suffix) {
        List<Path> found = new ArrayList<>();
        if (dir.isEmpty()) {
            return found;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir.get(), "*" + suffix)) {
            entries.forEach(found::add);
        } catch (IOException e) {
            throw new IllegalArgumentException("upstream " + name + ": tls.certsDir " + dir.get() + " cannot be read");
        }
        found.sort(null);
        return found;
    }

    private static X509ExtendedTrustManager trust(List<X509Certificate> extra) throws GeneralSecurityException {
        X509ExtendedTrustManager system = systemTrust();
        if (extra.isEmpty()) {
            return system;
        }
        // The configured CAs are added to the system's, not put in their place.
        KeyStore store = emptyStore();
        int i = 0;
        for (X509Certificate ca : system.getAcceptedIssuers()) {
            store.setCertificateEntry("system-" + i++, ca);
        }
        for (X509Certificate ca : extra) {
            store.setCertificateEntry("configured-" + i++, ca);
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return firstX509(factory.getTrustManagers());
    }

    private static X509ExtendedTrustManager systemTrust() throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init((KeyStore) null);
        return firstX509(factory.getTrustManagers());
    }

    /** The JDK's trust managers are extended ones, which also check the server's host name. */
    private static X509ExtendedTrustManager firstX509(TrustManager[] managers) {
        for (TrustManager manager : managers) {
            if (manager instanceof X509ExtendedTrustManager x509) {
                return x509;
            }
        }
        throw new IllegalStateException("no extended X.509 trust manager");
    }

    private static X509ExtendedKeyManager keyManager(String name, Path certFile, Path keyFile)
            throws GeneralSecurityException {
        List<X509Certificate> chain = certificates(name, "tls.certFile", certFile);
        PrivateKey key;
        try {
            key = Pem.privateKey(read(name, "tls.keyFile", keyFile));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "upstream " + name + ": tls.keyFile " + keyFile + ": " + e.getMessage(), e);
        }
        KeyStore store = emptyStore();
        store.setKeyEntry("client", key, NO_PASSWORD, chain.toArray(X509Certificate[]::new));
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, NO_PASSWORD);
        for (KeyManager manager : factory.getKeyManagers()) {
            if (manager instanceof X509ExtendedKeyManager x509) {
                return x509;
            }
        }
        throw new IllegalStateException("no extended X.509 key manager");
    }

    private static List<X509Certificate> certificates(String name, String key, Path file) {
        List<X509Certificate> certificates;
        try {
            certificates = Pem.certificates(read(name, key, file));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("upstream " + name + ": " + key + " " + file + ": " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException(
                    "upstream " + name + ": " + key + " " + file + ": no CERTIFICATE block in PEM");
        }
        return certificates;
    }

    private static String read(String name, String key, Path file) {
        try {
            return Pem.ascii(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("upstream " + name + ": " + key + " " + file + " cannot be read");
        }
    }

    private static KeyStore emptyStore() throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return store;
    }

    /**
     * Accepts every chain and, being an extended trust manager, checks no host name either (the JDK checks host names
     * only in its own trust managers and in wrappers of plain ones).
     */
    private static final class TrustingAnything extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
