package dev.wharf.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The TLS listener of the registry API: where it listens, its certificate chain and key (PEM files, read again when
 * they change) or, when both are empty, a self-signed certificate made at start-up; optionally the CAs whose client
 * certificates are accepted ({@code clientCaFile}) and whether a client must present one ({@code
 * clientCertificateRequired}). Paths are absolute.
 */
public record ServerTls(
        HostPort listen,
        Optional<Path> certFile,
        Optional<Path> keyFile,
        Optional<Path> clientCaFile,
        boolean clientCertificateRequired) {
    public ServerTls {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(certFile, "certFile");
        Objects.requireNonNull(keyFile, "keyFile");
        Objects.requireNonNull(clientCaFile, "clientCaFile");
        if (certFile.isPresent() != keyFile.isPresent()) {
            throw new IllegalArgumentException("certFile and keyFile go together");
        }
        if (clientCertificateRequired && clientCaFile.isEmpty()) {
            throw new IllegalArgumentException("a required client certificate needs clientCaFile");
        }
    }

    /** True when Wharf makes its own certificate at start-up rather than reading one. */
    public boolean selfSigned() {
        return certFile.isEmpty();
    }
}
