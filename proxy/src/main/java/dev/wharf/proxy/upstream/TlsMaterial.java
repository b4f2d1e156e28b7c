package dev.wharf.proxy.upstream;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An upstream's trust and client key as its files say now: loaded again, at a handshake, when the files' state
 * changed since the last load. A load that fails (a file half written, a key that does not parse) keeps what was in
 * use and logs why, once per change. {@link Trust} and {@link Keys} are what the {@code SSLContext} holds.
 */
final class TlsMaterial {
    private static final Logger LOG = LoggerFactory.getLogger(TlsMaterial.class);

    /** The trust manager (an extended one: it checks host names) and the client key, when there is one. */
    record Loaded(X509ExtendedTrustManager trust, Optional<X509ExtendedKeyManager> keys) {
        Loaded {
            Objects.requireNonNull(trust, "trust");
            Objects.requireNonNull(keys, "keys");
        }
    }

    private final String upstream;
    private final Supplier<Loaded> load;
    private final Supplier<Object> state;
    private Object loadedFrom;
    private Loaded current;

    /** Loads now; throws like {@code load} when the files are not usable at start-up. */
    TlsMaterial(String upstream, Supplier<Loaded> load, Supplier<Object> state) {
        this.upstream = upstream;
        this.load = load;
        this.state = state;
        this.loadedFrom = state.get();
        this.current = load.get();
    }

    /** What the files give now, loaded again when their state changed. */
    synchronized Loaded current() {
        Object now = state.get();
        if (!now.equals(loadedFrom)) {
            loadedFrom = now;
            try {
                current = load.get();
                LOG.info("upstream {}: TLS files changed; the new ones are used from the next connection", upstream);
            } catch (IllegalArgumentException e) {
                LOG.warn("{}; the TLS files in use before are kept", e.getMessage());
            }
        }
        return current;
    }

    /** Trusts as the current material does. */
    static final class Trust extends X509ExtendedTrustManager {
        private final TlsMaterial material;

        Trust(TlsMaterial material) {
            this.material = material;
        }

        private X509ExtendedTrustManager now() {
            return material.current().trust();
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            now().checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            now().checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            now().checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            now().checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            now().checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            now().checkServerTrusted(chain, authType, engine);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return now().getAcceptedIssuers();
        }
    }

    /** Shows the current client certificate, or none. Wharf is only ever the client, so server methods choose none. */
    static final class Keys extends X509ExtendedKeyManager {
        private final TlsMaterial material;

        Keys(TlsMaterial material) {
            this.material = material;
        }

        private Optional<X509ExtendedKeyManager> now() {
            return material.current().keys();
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return now().map(k -> k.getClientAliases(keyType, issuers)).orElse(null);
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return now().map(k -> k.chooseClientAlias(keyType, issuers, socket)).orElse(null);
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return now().map(k -> k.chooseEngineClientAlias(keyType, issuers, engine))
                    .orElse(null);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return now().map(k -> k.getCertificateChain(alias)).orElse(null);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return now().map(k -> k.getPrivateKey(alias)).orElse(null);
        }
    }
}
